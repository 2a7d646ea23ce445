package io.depthstream.pipeline.cli;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Recognises the GPU build failing to load its CUDA natives on a machine without an NVIDIA driver, and says in one
 * line what to run instead.
 *
 * <p>DJL uses bundled CUDA natives only where it detects CUDA; elsewhere it looks for CPU natives, finds none in a
 * GPU build, tries to download them and, offline, fails deep inside its static initialisers
 * ({@code ExceptionInInitializerError} or {@code EngineException}: "Failed to save pytorch index file",
 * "Offline model is enabled"; later attempts: {@code NoClassDefFoundError: Could not initialize class ai.djl…}).
 * A stack trace of that says nothing about the fix.
 */
final class EngineLoadFailure {

    private EngineLoadFailure() {}

    /**
     * The one-line explanation when {@code failure} is the CUDA natives refusing to load, or null for anything else.
     *
     * @param nativesArtifact the natives this build bundles ({@link BuildInfo#natives()})
     */
    static String explain(Throwable failure, String nativesArtifact) {
        if (nativesArtifact == null || !nativesArtifact.contains("-cu") || !isNativesDownloadFailure(failure)) {
            return null;
        }
        return "this is the GPU build (" + nativesArtifact + ") and its CUDA natives need an NVIDIA driver >= 520 and"
                + " a GPU, which this machine does not have: run the CPU build instead (./depthstream with"
                + " DEPTHSTREAM_GPU unset or 0, or java -jar pipeline/target/depthstream.jar from mvn package)";
    }

    /** True when the cause chain shows DJL failing to find or fetch PyTorch natives while loading the engine. */
    static boolean isNativesDownloadFailure(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            if (message.contains("Failed to save pytorch index file") || message.contains("Offline model is enabled")
                    || (t instanceof NoClassDefFoundError && message.contains("Could not initialize class ai.djl."))) {
                return true;
            }
        }
        return false;
    }
}
