package io.depthstream.model.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageResizerTest {

    private static RgbImage constant(int width, int height, int r, int g, int b) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) {
            rgb[3 * i] = (byte) r;
            rgb[3 * i + 1] = (byte) g;
            rgb[3 * i + 2] = (byte) b;
        }
        return new RgbImage(width, height, rgb);
    }

    @Test
    void aConstantImageStaysConstantWhetherShrunkOrEnlarged() {
        RgbImage image = constant(1242, 375, 17, 200, 255);
        for (int[] size : new int[][] {{640, 192}, {1300, 400}, {100, 500}, {1, 1}}) {
            RgbImage resized = ImageResizer.resize(image, size[0], size[1]);
            assertThat(resized.width()).isEqualTo(size[0]);
            assertThat(resized.height()).isEqualTo(size[1]);
            assertThat(resized.rgb()).isEqualTo(constant(size[0], size[1], 17, 200, 255).rgb());
        }
    }

    @Test
    void halvingAveragesEachTwoByTwoBlock() {
        // A 4×4 image of 2×2 blocks, each block a checker of two values per channel.
        int[][] blockLow = {{10, 60}, {100, 0}};
        int[][] blockHigh = {{30, 80}, {200, 250}};
        byte[] rgb = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                boolean high = (x + y) % 2 == 0;
                int bx = x / 2;
                int by = y / 2;
                int value = high ? blockHigh[by][bx] : blockLow[by][bx];
                rgb[(y * 4 + x) * 3] = (byte) value;
                rgb[(y * 4 + x) * 3 + 1] = (byte) (255 - value);
                rgb[(y * 4 + x) * 3 + 2] = (byte) (value / 2);
            }
        }
        RgbImage half = ImageResizer.resize(new RgbImage(4, 4, rgb), 2, 2);

        for (int by = 0; by < 2; by++) {
            for (int bx = 0; bx < 2; bx++) {
                int mean = (blockLow[by][bx] + blockHigh[by][bx]) / 2;
                long meanHalf = Math.round((blockLow[by][bx] / 2 + blockHigh[by][bx] / 2) / 2.0);
                assertThat(half.get(bx, by, 0)).isEqualTo(mean);
                assertThat(half.get(bx, by, 1)).isEqualTo(255 - mean);
                assertThat((long) half.get(bx, by, 2)).isEqualTo(meanHalf);
            }
        }
    }

    @Test
    void shrinkingByANonIntegerFactorWeightsPartlyCoveredPixels() {
        // 3 → 2 columns: each output covers 1.5 source pixels, so (p0 + ½p1)/1.5 and (½p1 + p2)/1.5.
        byte[] rgb = new byte[3 * 3];
        int[] values = {30, 90, 240};
        for (int x = 0; x < 3; x++) {
            for (int c = 0; c < 3; c++) {
                rgb[x * 3 + c] = (byte) values[x];
            }
        }
        RgbImage resized = ImageResizer.resize(new RgbImage(3, 1, rgb), 2, 1);

        assertThat(resized.get(0, 0, 0)).isEqualTo(50);
        assertThat(resized.get(1, 0, 0)).isEqualTo(190);
    }

    @Test
    void enlargingInterpolatesBetweenPixelCentres() {
        // 2 → 4 columns: outputs sit at source positions −0.25, 0.25, 0.75, 1.25 → edge, ¾·a+¼·b, ¼·a+¾·b, edge.
        byte[] rgb = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};
        RgbImage resized = ImageResizer.resize(new RgbImage(2, 1, rgb), 4, 1);

        assertThat(new int[] {resized.get(0, 0, 1), resized.get(1, 0, 1), resized.get(2, 0, 1), resized.get(3, 0, 1)})
                .containsExactly(0, 50, 150, 200);
    }

    /** The resize as first written: the image as floats through {@link AxisResampling#apply}, then rounded. */
    private static byte[] floatReference(RgbImage image, int width, int height) {
        byte[] rgb = image.rgb();
        float[] plane = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            plane[i] = rgb[i] & 0xFF;
        }
        float[] resized = AxisResampling.apply(plane, image.width(), image.height(), 3,
                AxisResampling.highQuality(image.width(), width), AxisResampling.highQuality(image.height(), height));
        byte[] out = new byte[resized.length];
        for (int i = 0; i < resized.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
        }
        return out;
    }

    @Test
    void givesExactlyTheFloatResamplersBytesForShrinkingGrowingAndMixedSizes() {
        java.util.Random random = new java.util.Random(21);
        int[][] cases = {{1242, 375, 640, 192}, {1242, 375, 1024, 320}, {101, 37, 640, 192}, {640, 192, 1242, 375},
                {300, 40, 97, 150}, {7, 300, 21, 13}, {5, 5, 1, 1}, {1, 1, 3, 2}, {64, 48, 32, 24}};
        for (int[] c : cases) {
            byte[] rgb = new byte[c[0] * c[1] * 3];
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) (i % 11 == 0 ? random.nextInt(256) : (i / 3 % c[0]) * 255 / c[0] + random.nextInt(8));
            }
            RgbImage image = new RgbImage(c[0], c[1], rgb);

            RgbImage resized = ImageResizer.resize(image, c[2], c[3]);

            assertThat(resized.rgb()).as("%dx%d → %dx%d", c[0], c[1], c[2], c[3])
                    .isEqualTo(floatReference(image, c[2], c[3]));
        }
    }

    @Test
    void aRealKittiFrameResizesExactlyAsTheFloatResampler() throws java.io.IOException {
        java.nio.file.Path frame = KittiFixtures.kittiRoot()
                .resolve("2011_09_26/2011_09_26_drive_0000_sync/image_02/data/0000000000.png");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(frame),
                "no KITTI frame at " + frame + ": real-KITTI test skipped");
        RgbImage image = RgbImage.decode(java.nio.file.Files.readAllBytes(frame));

        RgbImage resized = ImageResizer.resize(image, 640, 192);

        assertThat(resized.rgb()).isEqualTo(floatReference(image, 640, 192));
        // and again with the cached weights, then for another size and back
        assertThat(ImageResizer.resize(image, 640, 192).rgb()).isEqualTo(resized.rgb());
        assertThat(ImageResizer.resize(image, 320, 96).rgb()).isEqualTo(floatReference(image, 320, 96));
        assertThat(ImageResizer.resize(image, 640, 192).rgb()).isEqualTo(resized.rgb());
    }
}
