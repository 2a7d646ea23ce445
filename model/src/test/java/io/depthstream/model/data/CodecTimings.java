package io.depthstream.model.data;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDrive;
import io.depthstream.model.io.DisparityColormap;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Single-thread timings of the streaming job's per-frame image work, each operation as it was (ImageIO, the float
 * resampler) next to as it is: decode a KITTI PNG, resize it to 640×192, encode a 640×192 depth PNG and its magma
 * preview. Prints medians of wall and thread CPU time (which leaves out garbage collection); run with the path of a
 * KITTI frame PNG and optionally the number of repetitions.
 */
public final class CodecTimings {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CodecTimings() {
    }

    public static void main(String[] args) throws IOException {
        byte[] png = Files.readAllBytes(Path.of(args[0]));
        int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        RgbImage frame = imageIoDecode(png);
        float[] depth = SyntheticDrive.generate(7, new DriveOptions(3, 640, 192, true, false)).render(0).depth().depth();
        DepthMap map = new DepthMap(640, 192, depth);
        float[] disparity = new float[depth.length];
        for (int i = 0; i < depth.length; i++) {
            disparity[i] = depth[i] > 0 ? 1 / depth[i] : 0;
        }
        RgbImage preview = DisparityColormap.colorize(disparity, 640, 192);
        // A depth map with the camera image's texture: far harder to compress than a rendered or predicted one.
        RgbImage small = ImageResizer.resize(frame, 640, 192);
        float[] textured = new float[640 * 192];
        for (int i = 0; i < textured.length; i++) {
            textured[i] = 3 + (small.rgb()[3 * i] & 0xFF) / 4f + (small.rgb()[3 * i + 1] & 0xFF) / 16f;
        }
        DepthMap texturedMap = new DepthMap(640, 192, textured);
        RgbImage texturedPreview = DisparityColormap.colorize(textured, 640, 192);

        System.out.printf(Locale.ROOT, "frame %dx%d, %d PNG bytes; %d repetitions after warm-up; medians in ms%n",
                frame.width(), frame.height(), png.length, repetitions);
        compare("decode 1242x375 PNG", () -> imageIoDecode(png), () -> RgbImage.decode(png), repetitions);
        compare("resize to 640x192", () -> floatResize(frame, 640, 192), () -> ImageResizer.resize(frame, 640, 192),
                repetitions);
        compare("encode 640x192 depth PNG", () -> imageIoDepthPng(depth), map::encodeKittiPng, repetitions);
        compare("encode 640x192 magma PNG", () -> imageIoPng(preview), preview::encodePng, repetitions);
        compare("encode 640x192 textured depth PNG", () -> imageIoDepthPng(textured), texturedMap::encodeKittiPng,
                repetitions);
        compare("encode 640x192 textured magma PNG", () -> imageIoPng(texturedPreview), texturedPreview::encodePng,
                repetitions);
        System.out.printf(Locale.ROOT, "sizes: depth PNG %d -> %d bytes, magma PNG %d -> %d bytes, textured depth PNG"
                        + " %d -> %d bytes, textured magma PNG %d -> %d bytes%n",
                imageIoDepthPng(depth).length, map.encodeKittiPng().length,
                imageIoPng(preview).length, preview.encodePng().length,
                imageIoDepthPng(textured).length, texturedMap.encodeKittiPng().length,
                imageIoPng(texturedPreview).length, texturedPreview.encodePng().length);
        for (int filter : new int[] {PngEncoder.SUB, PngEncoder.UP}) {
            for (int level : new int[] {1, 3, 6}) {
                byte[] rgb = texturedPreview.rgb();
                byte[] raw = depthBytes(textured);
                double rgbMs = median(() -> PngEncoder.encode(640, 192, 8, PngHeader.RGB, 3, rgb, filter, level),
                        repetitions);
                double depthMs = median(() -> PngEncoder.encode(640, 192, 16, PngHeader.GREY, 2, raw, filter, level),
                        repetitions);
                System.out.printf(Locale.ROOT, "textured, filter %d level %d: depth %.2f ms %d bytes, magma %.2f ms %d bytes%n",
                        filter, level, depthMs, PngEncoder.encode(640, 192, 16, PngHeader.GREY, 2, raw, filter, level).length,
                        rgbMs, PngEncoder.encode(640, 192, 8, PngHeader.RGB, 3, rgb, filter, level).length);
            }
        }
    }

    /**
     * Medians of both, timed alternately so that both see the same load on a shared machine: wall time and the
     * thread's CPU time, which other processes disturb less.
     */
    private static void compare(String name, Supplier<Object> before, Supplier<Object> after, int repetitions) {
        warmUp(before);
        warmUp(after);
        double[][] old = new double[2][repetitions];
        double[][] now = new double[2][repetitions];
        for (int i = 0; i < repetitions; i++) {
            time(before, old, i);
            time(after, now, i);
        }
        System.out.printf(Locale.ROOT, "%-34s wall before %7.2f after %7.2f (%4.1fx)   cpu before %7.2f after %7.2f"
                        + " (%4.1fx)%n", name, median(old[0]), median(now[0]), median(old[0]) / median(now[0]),
                median(old[1]), median(now[1]), median(old[1]) / median(now[1]));
    }

    /** Runs {@code operation} once, storing its wall and CPU milliseconds at {@code times[0|1][i]}. */
    private static void time(Supplier<Object> operation, double[][] times, int i) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        operation.get();
        times[0][i] = (System.nanoTime() - start) / 1e6;
        times[1][i] = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6;
    }

    private static void warmUp(Supplier<Object> operation) {
        // Until the JIT has compiled the loops: at least 40 runs and 2 s.
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 40 || System.nanoTime() < warmUntil; i++) {
            operation.get();
        }
    }

    private static double median(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(Supplier<Object> operation, int repetitions) {
        warmUp(operation);
        double[][] ms = new double[2][repetitions];
        for (int i = 0; i < repetitions; i++) {
            time(operation, ms, i);
        }
        return median(ms[0]);
    }

    /** How frames were decoded before: ImageIO, then the raster copied. */
    static RgbImage imageIoDecode(byte[] png) {
        try {
            return RgbImage.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(png)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How frames were resized before: the image as floats through {@link AxisResampling#apply}. */
    static RgbImage floatResize(RgbImage image, int width, int height) {
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
        return new RgbImage(width, height, out);
    }

    /** How depth PNGs were written before: ImageIO with a 16-bit grey image. */
    static byte[] imageIoDepthPng(float[] depth) {
        BufferedImage image = new BufferedImage(640, 192, BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < depth.length; i++) {
            float d = depth[i];
            long value = Float.isFinite(d) && d > 0 ? Math.round((double) d * DepthMap.KITTI_PNG_SCALE) : 0;
            data[i] = (short) Math.min(value, 0xFFFF);
        }
        return write(image);
    }

    /** How RGB PNGs were written before: ImageIO with an int-RGB image. */
    static byte[] imageIoPng(RgbImage image) {
        return write(image.toBufferedImage());
    }

    private static byte[] write(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] depthBytes(float[] depth) {
        byte[] bytes = new byte[depth.length * 2];
        for (int i = 0; i < depth.length; i++) {
            int value = (int) Math.min(Math.round(depth[i] * 256.0), 0xFFFF);
            bytes[2 * i] = (byte) (value >> 8);
            bytes[2 * i + 1] = (byte) value;
        }
        return bytes;
    }
}
