package io.depthstream.model.data;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RgbImageTest {

    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (x * 255 / (w - 1));
                rgb[i + 1] = (byte) (y * 255 / (h - 1));
                rgb[i + 2] = (byte) 200;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void pngRoundTripIsLossless() {
        RgbImage image = gradient(7, 5);

        RgbImage back = RgbImage.decode(image.encodePng());

        assertThat(back.width()).isEqualTo(7);
        assertThat(back.height()).isEqualTo(5);
        assertThat(back.rgb()).isEqualTo(image.rgb());
        assertThat(back.get(6, 4, 0)).isEqualTo(255);
        assertThat(back.get(0, 4, 1)).isEqualTo(255);
        assertThat(back.get(3, 2, 2)).isEqualTo(200);
    }

    @Test
    void decodesJpegToCloseColours() throws Exception {
        BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                flat.setRGB(x, y, 0x4080C0);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(flat, "jpeg", jpeg);

        RgbImage image = RgbImage.decode(jpeg.toByteArray());

        assertThat(image.get(8, 8, 0)).isBetween(0x40 - 3, 0x40 + 3);
        assertThat(image.get(8, 8, 1)).isBetween(0x80 - 3, 0x80 + 3);
        assertThat(image.get(8, 8, 2)).isBetween(0xC0 - 3, 0xC0 + 3);
    }

    @Test
    void chwFloatsArePlanarInUnitRange() {
        RgbImage image = new RgbImage(2, 1, new byte[] {(byte) 255, 0, 51, 0, (byte) 102, (byte) 255});

        assertThat(image.toChwFloats()).containsExactly(1f, 0f, 0f, 102 / 255f, 51 / 255f, 1f);
    }

    @Test
    void garbageIsRejectedWithAReason() {
        assertThatThrownBy(() -> RgbImage.decode(new byte[] {1, 2, 3, 4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a PNG or JPEG");
        assertThatThrownBy(() -> new RgbImage(2, 2, new byte[3]))
                .hasMessageContaining("expected 12 RGB bytes");
    }

    @Test
    void rasterCopyEqualsJava2dColourConversionForEveryLayout() {
        java.util.Random random = new java.util.Random(3);
        for (int type : new int[] {java.awt.image.BufferedImage.TYPE_3BYTE_BGR,
                java.awt.image.BufferedImage.TYPE_4BYTE_ABGR, java.awt.image.BufferedImage.TYPE_INT_RGB,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY}) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(37, 11, type);
            for (int y = 0; y < 11; y++) {
                for (int x = 0; x < 37; x++) {
                    image.setRGB(x, y, random.nextInt());
                }
            }
            for (java.awt.image.BufferedImage source : new java.awt.image.BufferedImage[] {
                image, image.getSubimage(5, 2, 20, 7)}) {
                RgbImage copied = RgbImage.fromBufferedImage(source);
                assertThat(copied.width()).isEqualTo(source.getWidth());
                for (int y = 0; y < source.getHeight(); y++) {
                    for (int x = 0; x < source.getWidth(); x++) {
                        int argb = source.getRGB(x, y);
                        assertThat(new int[] {copied.get(x, y, 0), copied.get(x, y, 1), copied.get(x, y, 2)})
                                .as("type %d at %d,%d", type, x, y)
                                .containsExactly(argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF);
                    }
                }
            }
        }
    }

    @Test
    void planarFloatsAreEveryByteOver255InChannelMajorOrder() {
        // 256 pixels wide: pixel x holds (x, 255 - x, x * 7 mod 256), so every byte value appears in every channel
        int width = 256;
        byte[] rgb = new byte[width * 2 * 3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < width; x++) {
                int p = (y * width + x) * 3;
                rgb[p] = (byte) x;
                rgb[p + 1] = (byte) (255 - x);
                rgb[p + 2] = (byte) (x * 7);
            }
        }
        float[] chw = new RgbImage(width, 2, rgb).toChwFloats();
        int plane = width * 2;
        for (int i = 0; i < plane; i++) {
            int x = i % width;
            assertThat(chw[i]).isEqualTo(x / 255f);
            assertThat(chw[plane + i]).isEqualTo((255 - x) / 255f);
            assertThat(chw[2 * plane + i]).isEqualTo(((x * 7) & 0xFF) / 255f);
        }
    }
}
