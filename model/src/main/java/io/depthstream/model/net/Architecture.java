package io.depthstream.model.net;

import java.util.List;
import java.util.Locale;

/** A ResNet encoder layout: block kind, blocks per stage and channel widths, in torchvision's naming. */
public enum Architecture {
    /** torchvision ResNet-18: basic blocks [2, 2, 2, 2], features [64, 64, 128, 256, 512]. */
    RESNET18(false, List.of(2, 2, 2, 2), 64),
    /** torchvision ResNet-50: bottleneck blocks [3, 4, 6, 3], features [64, 256, 512, 1024, 2048]. */
    RESNET50(true, List.of(3, 4, 6, 3), 64),
    /** A narrow ResNet (basic blocks [1, 1, 1, 1], features [16, 16, 32, 64, 128]) for fast CPU tests and demos. */
    LITE(false, List.of(1, 1, 1, 1), 16);

    private final boolean bottleneck;
    private final List<Integer> blocksPerStage;
    private final int baseWidth;

    Architecture(boolean bottleneck, List<Integer> blocksPerStage, int baseWidth) {
        this.bottleneck = bottleneck;
        this.blocksPerStage = blocksPerStage;
        this.baseWidth = baseWidth;
    }

    /** Parses {@code resnet18}, {@code resnet50} or {@code lite} (case-insensitive). */
    public static Architecture parse(String value) {
        for (Architecture architecture : values()) {
            if (architecture.configName().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return architecture;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + value + "': expected resnet18, resnet50 or lite");
    }

    /** The spelling used in configuration files and on the command line. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether stages use bottleneck blocks (1×1, 3×3, 1×1 with expansion 4) instead of basic blocks. */
    public boolean bottleneck() {
        return bottleneck;
    }

    /** Residual blocks in layer1..layer4. */
    public List<Integer> blocksPerStage() {
        return blocksPerStage;
    }

    /** torchvision's "planes" of layer{@code stage} (1..4): the base width doubled per stage. */
    int planes(int stage) {
        return baseWidth << (stage - 1);
    }

    /** Channels of the stem (conv1) output. */
    int stemChannels() {
        return baseWidth;
    }

    /** Channels of the five feature maps the encoder returns (scales 1/2 … 1/32). */
    public int[] featureChannels() {
        int expansion = bottleneck ? 4 : 1;
        int[] channels = new int[5];
        channels[0] = stemChannels();
        for (int stage = 1; stage <= 4; stage++) {
            channels[stage] = planes(stage) * expansion;
        }
        return channels;
    }
}
