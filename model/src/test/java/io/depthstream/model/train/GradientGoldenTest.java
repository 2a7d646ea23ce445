package io.depthstream.model.train;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.io.Npy;
import io.depthstream.model.io.Npz;
import io.depthstream.model.loss.BoundarySource;
import io.depthstream.model.loss.DifferentialTripletConfig;
import io.depthstream.model.loss.IsolatedTripletConfig;
import io.depthstream.model.loss.PhotometricLossConfig;
import io.depthstream.model.loss.SemanticTripletConfig;
import io.depthstream.model.net.Architecture;
import io.depthstream.model.net.DepthModel;
import io.depthstream.model.net.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gradient of the whole objective with respect to every trainable parameter against PyTorch
 * (golden/gradients/generate.py: independent reference networks and loss, float64), for lite and resnet18 on a
 * synthetic triplet, with and without the auto-mask and with each triplet term.
 */
class GradientGoldenTest {

    /** The bound on each tensor's relative L2 error where float32 rounding alone stays below it. */
    static final double TOLERANCE = 1e-4;
    /**
     * Otherwise the bound is this multiple of the case's float32 spread: how far PyTorch's own float32 computation
     * of the case lies from its float64 one (spread/&lt;module&gt; in the golden file). Both spreads come from the
     * same few per-pixel minimum decisions between candidates closer than ~1e-5, which float32 rounding sends to
     * either side; which pixels flip differs between any two float32 implementations (docs/TRAINING.md).
     */
    static final double SPREAD_FACTOR = 5;
    /** Tensors whose reference norm is below this share of the largest are not held to {@link #TOLERANCE}. */
    static final double NEGLIGIBLE = 1e-6;
    static final int PROJECTIONS = 16;
    /** The objective's seed; the differential term's rolls derive from it as the generator reproduces. */
    static final long SEED = 7;
    static final String[] MODULES = {"encoder", "depth", "pose_encoder", "pose"};

    static Path golden() throws Exception {
        return Paths.get(GradientGoldenTest.class.getResource("/golden/gradients/cur.png").toURI()).getParent();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "lite, automask", "lite, no_automask", "lite, fsre", "lite, isolated", "lite, differential",
        "resnet18, automask", "resnet18, no_automask"
    })
    void gradientsMatchPyTorch(String arch, String caseName) throws Exception {
        Map<String, Npy> reference = Npz.read(golden().resolve(arch + "_" + caseName + ".npz"));
        try (DepthModel model = hashedModel(Architecture.parse(arch))) {
            ParameterGradients.Result result = ParameterGradients.compute(model,
                    new SelfSupervisedObjective(lossConfig(caseName, 0, model), new Random(SEED)), List.of(sample()));

            double expectedLoss = reference.get("loss").data()[0];
            assertThat(result.report().total()).as("total loss")
                    .isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-5 * expectedLoss));
            List<String> expectedKeys = reference.keySet().stream().filter(k -> k.startsWith("norm/"))
                    .map(k -> k.substring(5)).toList();
            assertThat(result.gradients().keySet()).containsExactlyInAnyOrderElementsOf(expectedKeys);

            double spread = reference.entrySet().stream().filter(e -> e.getKey().startsWith("spread/"))
                    .mapToDouble(e -> e.getValue().data()[0]).max().orElseThrow();
            double bound = Math.max(TOLERANCE, SPREAD_FACTOR * spread);
            double largest = expectedKeys.stream().mapToDouble(k -> reference.get("norm/" + k).data()[0]).max()
                    .orElseThrow();
            Map<String, Double> worst = new LinkedHashMap<>();
            List<String> failures = new ArrayList<>();
            for (Map.Entry<String, ParameterGradients.Gradient> entry : result.gradients().entrySet()) {
                String key = entry.getKey();
                double error = relativeError(entry.getValue().values(), reference, key);
                double norm = reference.get("norm/" + key).data()[0];
                if (norm < NEGLIGIBLE * largest) {
                    continue;
                }
                String module = key.substring(0, key.indexOf('/'));
                worst.merge(module, error, Math::max);
                if (!(error <= bound)) {
                    failures.add(String.format(Locale.ROOT, "%s: relative error %.3g (norm %.3g)", key, error, norm));
                }
            }
            System.out.printf(Locale.ROOT, "gradient parity %s %s: loss %.8f vs %.8f; worst per module%s;"
                    + " PyTorch float32 spread %.2g, bound %.2g%n", arch, caseName, result.report().total(),
                    expectedLoss, format(worst), spread, bound);
            assertThat(failures).as("tensors over the %.2g relative error bound", bound).isEmpty();
            assertThat(worst.keySet()).containsExactly(MODULES);
        }
    }

    /**
     * The auto-mask's tie-break noise (1e-5·N(0,1), which PyTorch's generator cannot reproduce) is off in the
     * comparison; this bounds what it changes: the gradients with it on stay within 1e-3 of those without.
     */
    @Test
    void identityNoiseChangesGradientsNegligibly() throws Exception {
        try (DepthModel model = hashedModel(Architecture.LITE)) {
            Map<String, ParameterGradients.Gradient> quiet = ParameterGradients.compute(model,
                    new SelfSupervisedObjective(lossConfig("automask", 0, model), new Random(SEED)),
                    List.of(sample())).gradients();
            Map<String, ParameterGradients.Gradient> noisy = ParameterGradients.compute(model,
                    new SelfSupervisedObjective(lossConfig("automask", 1e-5, model), new Random(SEED)),
                    List.of(sample())).gradients();
            double worst = 0;
            for (String key : quiet.keySet()) {
                worst = Math.max(worst, relative(noisy.get(key).values(), quiet.get(key).values()));
            }
            System.out.printf(Locale.ROOT, "identity noise 1e-5: largest relative gradient change %.3g%n", worst);
            assertThat(worst).isLessThan(1e-3);
        }
    }

    static String format(Map<String, Double> worst) {
        StringBuilder out = new StringBuilder();
        worst.forEach((module, error) -> out.append(String.format(Locale.ROOT, " %s %.2g", module, error)));
        return out.toString();
    }

    /**
     * ‖g − r‖/‖r‖ from the full reference where the generator stored it; otherwise estimated from the 16 sign-vector
     * projections (‖S(g − r)‖/‖S r‖), together with the exact difference of the norms, which it must also cover.
     */
    static double relativeError(float[] actual, Map<String, Npy> reference, String key) {
        Npy full = reference.get("full/" + key);
        if (full != null) {
            double[] expected = full.data();
            double difference = 0;
            double norm = 0;
            for (int i = 0; i < expected.length; i++) {
                difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
                norm += expected[i] * expected[i];
            }
            return Math.sqrt(difference / norm);
        }
        double expectedNorm = reference.get("norm/" + key).data()[0];
        double[] expectedProjections = reference.get("proj/" + key).data();
        double[] projections = projections(actual);
        double difference = 0;
        double norm = 0;
        for (int j = 0; j < PROJECTIONS; j++) {
            difference += Math.pow(projections[j] - expectedProjections[j], 2);
            norm += Math.pow(expectedProjections[j], 2);
        }
        double actualNorm = 0;
        for (float v : actual) {
            actualNorm += (double) v * v;
        }
        return Math.max(Math.sqrt(difference / norm), Math.abs(Math.sqrt(actualNorm) - expectedNorm) / expectedNorm);
    }

    static double relative(float[] actual, float[] expected) {
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            difference += Math.pow(actual[i] - expected[i], 2);
            norm += (double) expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(difference) : Math.sqrt(difference / norm);
    }

    /** Σ_i s_j[i]·g[i] for the generator's sign vectors s_j[i] = ±1 by the top bit of splitmix(j·2^32 + i). */
    static double[] projections(float[] values) {
        double[] out = new double[PROJECTIONS];
        for (int j = 1; j <= PROJECTIONS; j++) {
            long base = (long) j << 32;
            double sum = 0;
            for (int i = 0; i < values.length; i++) {
                sum += splitmix(base + i) < 0 ? -values[i] : values[i];
            }
            out[j - 1] = sum;
        }
        return out;
    }

    static LossConfig lossConfig(String caseName, double identityNoise, DepthModel model) {
        PhotometricLossConfig photometric = PhotometricLossConfig.monodepth2()
                .withAutoMask(!caseName.equals("no_automask"))
                .withIdentityNoise(identityNoise)
                .withDepthRange(model.config().depthRange());
        LossConfig config = LossConfig.of(photometric).withBoundarySource(BoundarySource.SEMANTIC);
        return switch (caseName) {
            case "fsre" -> config.withSemanticTriplet(SemanticTripletConfig.fsre());
            case "isolated" -> config.withIsolatedTriplet(IsolatedTripletConfig.edgeFattening());
            case "differential" -> config.withDifferentialTriplet(DifferentialTripletConfig.selfSupervised());
            default -> config;
        };
    }

    static TrainingSample sample() throws Exception {
        float[][] frames = new float[3][];
        String[] names = {"prev.png", "cur.png", "next.png"};
        for (int f = 0; f < 3; f++) {
            frames[f] = RgbImage.decode(Files.readAllBytes(golden().resolve(names[f]))).toChwFloats();
        }
        SemanticMap semantic = SemanticMap.decodePng(Files.readAllBytes(golden().resolve("semantic.png")));
        return new TrainingSample(frames[0], frames[1], frames[2], Intrinsics.kittiNormalised(192, 64), semantic);
    }

    /** A 192x64 model whose every trainable parameter is the generator's function of its name. */
    static DepthModel hashedModel(Architecture architecture) {
        DepthModel model = DepthModel.forLoading(ModelConfig.monodepth2(architecture).withSize(64, 192), Device.cpu());
        model.torchParameters().forEach((name, parameter) -> {
            if (parameter.requiresGradient()) {
                fill(name.replaceFirst("\\.pth/", "/"), parameter);
            }
        });
        model.parametersChanged();
        return model;
    }

    private static void fill(String key, Parameter parameter) {
        long[] shape = parameter.getArray().getShape().getShape();
        int n = Math.toIntExact(parameter.getArray().size());
        long seed = fnv(key);
        float[] values = new float[n];
        String stem = key.substring(0, key.indexOf('/'));
        for (int i = 0; i < n; i++) {
            double u = (splitmix(seed + i) >>> 11) * 0x1.0p-53;
            double value;
            if (shape.length == 4) {
                double gain = stem.equals("encoder") || stem.equals("pose_encoder") ? 6.0 : 3.0;
                value = (2 * u - 1) * Math.sqrt(gain / (shape[1] * shape[2] * shape[3]));
            } else if (key.endsWith(".weight")) {
                value = 1 + 0.2 * (2 * u - 1);
            } else {
                value = 0.05 * (2 * u - 1);
                if (key.equals("pose/net.3.bias") && i == 5) {
                    value += 2.0;
                }
            }
            values[i] = (float) value;
        }
        parameter.getArray().set(FloatBuffer.wrap(values));
    }

    static long fnv(String text) {
        long h = 0xCBF29CE484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }

    static long splitmix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
