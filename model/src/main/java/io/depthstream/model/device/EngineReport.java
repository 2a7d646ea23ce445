package io.depthstream.model.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the PyTorch engine looks like in this JVM: versions, devices, threads, where its natives live,
 * and every problem found while loading it and running a small computation on it.
 *
 * @param engineVersion PyTorch version the natives report, or null when the engine did not load
 * @param djlVersion DJL version on the class path
 * @param devices devices the engine sees, e.g. {@code cpu()}, {@code gpu(0)}
 * @param gpuCount number of visible GPUs
 * @param intraOpThreads PyTorch intra-op thread count
 * @param interOpThreads PyTorch inter-op thread count
 * @param libtorchPath directory the natives were extracted to and loaded from
 * @param cacheDir DJL's cache directory
 * @param offline whether DJL runs with {@code -Doffline=true} (no downloads)
 * @param problems what is wrong; empty when the engine is healthy
 */
public record EngineReport(
        String engineVersion,
        String djlVersion,
        List<String> devices,
        int gpuCount,
        int intraOpThreads,
        int interOpThreads,
        String libtorchPath,
        Path cacheDir,
        boolean offline,
        List<String> problems) {

    /** The engine name DJL registers for PyTorch. */
    public static final String ENGINE_NAME = "PyTorch";

    public EngineReport {
        devices = List.copyOf(devices);
        problems = List.copyOf(problems);
    }

    /** True when nothing is wrong. */
    public boolean healthy() {
        return problems.isEmpty();
    }

    /**
     * Loads the engine (offline when {@code -Doffline=true} is set), lists its devices and threads and checks
     * that a small matrix product on every device gives the exact expected numbers.
     */
    public static EngineReport probe() {
        List<String> problems = new ArrayList<>();
        boolean offline = Boolean.parseBoolean(Utils.getEnvOrSystemProperty("offline"));
        if (!offline) {
            problems.add("-Doffline=true is not set: DJL may try to download natives at run time");
        }
        Path cacheDir = Utils.getCacheDir();
        Engine engine;
        try {
            engine = Engine.getEngine(ENGINE_NAME);
            TorchLogLevel.apply();
        } catch (RuntimeException | LinkageError e) {
            problems.add("the PyTorch engine did not load: " + rootMessage(e)
                    + " (pytorch-jni and pytorch-native-* must both be on the class path)");
            return new EngineReport(null, Engine.getDjlVersion(), List.of(), 0, -1, -1, null, cacheDir, offline,
                    problems);
        }
        List<String> devices = new ArrayList<>();
        for (Device device : engine.getDevices()) {
            devices.add(device.toString());
            String failure = selfCheck(engine, device);
            if (failure != null) {
                problems.add("computation on " + device + " failed: " + failure);
            }
        }
        return new EngineReport(
                engine.getVersion(),
                Engine.getDjlVersion(),
                devices,
                engine.getGpuCount(),
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(),
                LibUtils.getLibtorchPath(),
                cacheDir,
                offline,
                problems);
    }

    /** Multiplies [[1,2],[3,4]] by [5,6]ᵀ on the device; returns null when the result is exactly [17, 39]. */
    static String selfCheck(Engine engine, Device device) {
        try (NDManager manager = engine.newBaseManager(device)) {
            NDArray a = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = manager.create(new float[] {5, 6}, new Shape(2, 1));
            float[] product = a.matMul(b).toFloatArray();
            if (product.length != 2 || product[0] != 17f || product[1] != 39f) {
                return "[[1,2],[3,4]]·[5,6]ᵀ gave " + Arrays.toString(product) + " instead of [17.0, 39.0]";
            }
            return null;
        } catch (RuntimeException e) {
            return rootMessage(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
