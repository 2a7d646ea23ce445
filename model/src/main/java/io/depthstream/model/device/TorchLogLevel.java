package io.depthstream.model.device;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Sets libtorch's C++ log threshold in this JVM: ERROR by default, or what {@code TORCH_CPP_LOG_LEVEL} says.
 *
 * <p>libtorch prints its C++ warnings (such as the {@code AutoNonVariableTypeMode is deprecated} line that DJL
 * 0.25's {@code NDArray.set(Buffer)} triggers) to stderr when they reach {@code FLAGS_caffe2_log_level}. Only
 * {@code c10::initLogging()} reads {@code TORCH_CPP_LOG_LEVEL} into that flag, and only PyTorch's Python module
 * calls it: with libtorch loaded through DJL the variable has no effect on its own. So this class writes the flag
 * directly, through JNA, once the engine has loaded libc10. It works in any JVM (the command line, a Flink
 * TaskManager, a test) without anything set where the process is launched.
 */
public final class TorchLogLevel {

    /** The environment variable libtorch documents for its C++ log level (INFO, WARNING, ERROR, FATAL or 0–3). */
    public static final String VARIABLE = "TORCH_CPP_LOG_LEVEL";

    /** c10's ERROR severity: warnings are dropped, errors still print. */
    static final int ERROR = 2;

    private static volatile boolean applied;

    private TorchLogLevel() {}

    /**
     * Loads the PyTorch engine if it is not loaded yet and sets libtorch's log threshold once per JVM.
     * Never fails: when the flag cannot be found (another native build) the threshold stays libtorch's default.
     */
    public static void apply() {
        if (applied) {
            return;
        }
        synchronized (TorchLogLevel.class) {
            if (applied) {
                return;
            }
            Engine.getEngine(EngineReport.ENGINE_NAME);
            write(level(System.getenv(VARIABLE)));
            applied = true;
        }
    }

    /** The threshold libtorch's {@code initLogging} would take from the variable's value; ERROR when unset or unparsable. */
    static int level(String value) {
        if (value == null) {
            return ERROR;
        }
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "INFO", "0" -> 0;
            case "WARNING", "1" -> 1;
            case "ERROR", "2" -> 2;
            case "FATAL", "3" -> 3;
            default -> ERROR;
        };
    }

    /** libtorch's current threshold, or -1 when it cannot be read. */
    public static int current() {
        Pointer flag = flag();
        return flag == null ? -1 : flag.getInt(0);
    }

    private static void write(int level) {
        Pointer flag = flag();
        if (flag != null) {
            flag.setInt(0, level);
        }
    }

    private static Pointer flag() {
        try {
            String directory = LibUtils.getLibtorchPath();
            if (directory == null) {
                return null;
            }
            Path c10 = Path.of(directory).resolve(System.mapLibraryName("c10"));
            if (!Files.isRegularFile(c10)) {
                return null;
            }
            // the library is already loaded by DJL: opening it again by path returns the same mapping
            return NativeLibrary.getInstance(c10.toString()).getGlobalVariableAddress("FLAGS_caffe2_log_level");
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
