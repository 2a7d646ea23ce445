package io.depthstream.model.data;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.io.DisparityColormap;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PngEncoder}'s PNGs read back by ImageIO (an independent decoder) and by {@link PngDecoder}. */
class PngEncoderTest {

    private static BufferedImage read(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).isNotNull();
        return image;
    }

    @Test
    void rgbPixelsReadBackExactly() throws IOException {
        Random random = new Random(3);
        for (int[] size : new int[][] {{1, 1}, {3, 2}, {57, 31}, {640, 192}}) {
            byte[] rgb = new byte[size[0] * size[1] * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (i % 5 == 0 ? random.nextInt(256) : i / 7);
            }

            byte[] png = PngEncoder.rgb8(size[0], size[1], rgb);

            BufferedImage image = read(png);
            assertThat(image.getWidth()).isEqualTo(size[0]);
            assertThat(image.getHeight()).isEqualTo(size[1]);
            assertThat(RgbImage.fromBufferedImage(image).rgb()).isEqualTo(rgb);
            assertThat(PngDecoder.decodeRgb(png).rgb()).isEqualTo(rgb);
        }
    }

    @Test
    void sixteenBitSamplesReadBackExactly() throws IOException {
        Random random = new Random(4);
        short[] samples = new short[97 * 13];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) (i == 0 ? 0 : i == 1 ? 0xFFFF : i == 2 ? 0x8000 : random.nextInt(65536));
        }

        byte[] png = PngEncoder.grey16(97, 13, samples);

        int[] read = read(png).getRaster().getSamples(0, 0, 97, 13, 0, (int[]) null);
        for (int i = 0; i < samples.length; i++) {
            assertThat(read[i]).isEqualTo(samples[i] & 0xFFFF);
        }
        assertThat(read[1]).isEqualTo(65535);
        assertThat(read[2]).isEqualTo(32768);
        assertThat(PngDecoder.decodeGrey16(png)).isEqualTo(read);
    }

    @Test
    void aRenderedDepthMapAndItsPreviewReadBackExactly() throws IOException {
        DepthMap depth = SyntheticDrive.generate(7, new DriveOptions(3, 640, 192, true, false)).render(0).depth();
        float[] disparity = new float[depth.depth().length];
        for (int i = 0; i < disparity.length; i++) {
            disparity[i] = depth.depth()[i] > 0 ? 1 / depth.depth()[i] : 0;
        }
        RgbImage preview = DisparityColormap.colorize(disparity, 640, 192);

        int[] samples = read(depth.encodeKittiPng()).getRaster().getSamples(0, 0, 640, 192, 0, (int[]) null);
        for (int i = 0; i < samples.length; i++) {
            float d = depth.depth()[i];
            assertThat(samples[i]).isEqualTo(d > 0 ? (int) Math.min(Math.round(d * 256.0), 0xFFFF) : 0);
        }
        assertThat(RgbImage.fromBufferedImage(read(preview.encodePng())).rgb()).isEqualTo(preview.rgb());
        assertThat(depth.validCount()).isGreaterThan(100_000);
    }

    @Test
    void everyFilterAndLevelIsLossless() throws IOException {
        byte[] rgb = new byte[33 * 9 * 3];
        new Random(5).nextBytes(rgb);
        for (int filter : new int[] {0, PngEncoder.SUB, PngEncoder.UP}) {
            for (int level : new int[] {0, 1, 9}) {
                byte[] png = PngEncoder.encode(33, 9, 8, PngHeader.RGB, 3, rgb, filter, level);
                assertThat(RgbImage.fromBufferedImage(read(png)).rgb()).as("filter %d level %d", filter, level)
                        .isEqualTo(rgb);
            }
        }
    }

    @Test
    void wrongSizesAreRejected() {
        assertThatThrownBy(() -> PngEncoder.rgb8(2, 2, new byte[11])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 12 samples for 2x2, got 11");
        assertThatThrownBy(() -> PngEncoder.grey16(0, 2, new short[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }
}
