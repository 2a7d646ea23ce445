package io.depthstream.operators.training;

import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.data.SemanticMap;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.model.train.Augmentation;
import io.depthstream.operators.InterceptedMetrics;
import io.depthstream.operators.codec.Frame;
import io.depthstream.operators.codec.FrameDecoder;
import io.depthstream.operators.codec.IncomingFrame;
import io.depthstream.operators.codec.WireFormat;
import io.depthstream.operators.codec.WireHeader;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TripletPreparation}: network-size frames and intrinsics as the streaming decoder makes them, seeded augmentation, skips. */
class TripletPreparationTest {

    private static final int WIDTH = 96;
    private static final int HEIGHT = 32;
    private static final int NET_WIDTH = 40;
    private static final int NET_HEIGHT = 24;
    private static final Intrinsics K = new Intrinsics(70.5, 69.25, 47.5, 15.75);

    private static RgbImage image(int width, int height, int phase) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) ((i * 7 + phase * 31 + (i / (3 * width)) * 13) % 256);
        }
        return new RgbImage(width, height, rgb);
    }

    private static SemanticMap semantic() {
        int[] classes = new int[WIDTH * HEIGHT];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (i % WIDTH) / 12 + 10 * ((i / WIDTH) / 8);
        }
        return new SemanticMap(WIDTH, HEIGHT, classes);
    }

    private static EncodedTriplet triplet(int epoch, int line, byte[] previous, byte[] current, byte[] next,
            SemanticMap semantic) {
        return new EncodedTriplet(epoch, line, "2011_09_26_drive_0001_sync " + (line - 1) + " l (split line " + line
                + ")", previous, current, next, K, semantic, null);
    }

    private static EncodedTriplet triplet(int epoch, int line) {
        return triplet(epoch, line, image(WIDTH, HEIGHT, 0).encodePng(), image(WIDTH, HEIGHT, 1).encodePng(),
                image(WIDTH, HEIGHT, 2).encodePng(), semantic());
    }

    @Test
    void framesAndIntrinsicsComeOutAsTheStreamingDecoderMakesThem() throws Exception {
        EncodedTriplet triplet = triplet(2, 9);
        PreparedTriplet prepared = new TripletPreparation(NET_WIDTH, NET_HEIGHT, 3).prepare(triplet);

        assertThat(prepared.isSkipped()).isFalse();
        assertThat(prepared.description()).isEqualTo(triplet.description());
        String header = String.format(Locale.ROOT, "{\"fx\":%s,\"fy\":%s,\"cx\":%s,\"cy\":%s}",
                K.fx(), K.fy(), K.cx(), K.cy());
        IncomingFrame incoming = new IncomingFrame("cam".getBytes(StandardCharsets.UTF_8), triplet.current(),
                new WireHeader[] {
                    new WireHeader(WireFormat.SEQ, "8".getBytes(StandardCharsets.UTF_8)),
                    new WireHeader(WireFormat.INTRINSICS, header.getBytes(StandardCharsets.UTF_8))},
                1_000, "frames", 0, 0, 0);
        Frame streamed = new FrameDecoder(NET_WIDTH, NET_HEIGHT).decode(incoming);
        assertThat(prepared.intrinsics()).isEqualTo(streamed.intrinsics());
        assertThat(prepared.intrinsics()).isEqualTo(new Intrinsics(70.5 * 40 / 96, 69.25 * 24 / 32, 47.5 * 40 / 96,
                15.75 * 24 / 32));
        assertThat(prepared.current().rgb()).isEqualTo(streamed.image().rgb());
        assertThat(prepared.previous()).satisfies(image -> {
            assertThat(image.width()).isEqualTo(NET_WIDTH);
            assertThat(image.height()).isEqualTo(NET_HEIGHT);
            assertThat(image.rgb()).isEqualTo(ImageResizer.resize(image(WIDTH, HEIGHT, 0), NET_WIDTH, NET_HEIGHT).rgb());
        });
        assertThat(prepared.next().rgb())
                .isEqualTo(ImageResizer.resize(image(WIDTH, HEIGHT, 2), NET_WIDTH, NET_HEIGHT).rgb());
        // nearest neighbour: target column x reads source column ⌊x·96/40⌋, row y reads ⌊y·32/24⌋
        SemanticMap classes = prepared.semantic();
        assertThat(classes.width()).isEqualTo(NET_WIDTH);
        assertThat(classes.height()).isEqualTo(NET_HEIGHT);
        assertThat(classes.get(39, 23)).isEqualTo(semantic().get(93, 30)).isEqualTo(7 + 30);
        assertThat(classes.get(5, 11)).isEqualTo(semantic().get(12, 14)).isEqualTo(1 + 10);
    }

    @Test
    void theAugmentationDependsOnlyOnSeedEpochAndLine() {
        TripletPreparation one = new TripletPreparation(NET_WIDTH, NET_HEIGHT, 77);
        TripletPreparation other = new TripletPreparation(NET_WIDTH, NET_HEIGHT, 77);
        Augmentation drawn = one.prepare(triplet(1, 5)).augmentation();

        assertThat(other.prepare(triplet(1, 5)).augmentation()).isEqualTo(drawn)
                .isEqualTo(Augmentation.draw(new Random(TrainingSeeds.augmentation(77, 1, 5))));
        Set<Augmentation> byLine = new HashSet<>();
        Set<Augmentation> byEpoch = new HashSet<>();
        Set<Boolean> flips = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            Augmentation line = one.prepare(triplet(1, i + 1)).augmentation();
            byLine.add(line);
            flips.add(line.flip());
            byEpoch.add(one.prepare(triplet(i, 5)).augmentation());
        }
        assertThat(byLine.size()).isGreaterThan(8);
        assertThat(byEpoch.size()).isGreaterThan(8);
        assertThat(flips).containsExactlyInAnyOrder(true, false);
        assertThat(new TripletPreparation(NET_WIDTH, NET_HEIGHT, 78).prepare(triplet(1, 5)).augmentation())
                .isNotEqualTo(drawn);
    }

    @Test
    void badFramesAndSkippedInputComeOutSkippedAndAreCounted() throws Exception {
        byte[] png = image(WIDTH, HEIGHT, 0).encodePng();
        byte[] small = image(WIDTH / 2, HEIGHT, 1).encodePng();
        InterceptedMetrics metrics = new InterceptedMetrics();
        List<PreparedTriplet> out;
        try (MockEnvironment environment = metrics.environment();
             OneInputStreamOperatorTestHarness<EncodedTriplet, PreparedTriplet> harness =
                     new OneInputStreamOperatorTestHarness<>(
                             new ProcessOperator<>(new TripletPreparation(NET_WIDTH, NET_HEIGHT, 1)), environment)) {
            harness.open();
            harness.processElement(new StreamRecord<>(triplet(0, 2, png, png, small, null)));
            harness.processElement(new StreamRecord<>(triplet(0, 3, png, "garbage".getBytes(StandardCharsets.UTF_8),
                    png, null)));
            harness.processElement(new StreamRecord<>(triplet(0, 4, png, png, png,
                    new SemanticMap(4, 4, new int[16]))));
            harness.processElement(new StreamRecord<>(EncodedTriplet.skipped(0, 1, "frame 0", "frame 0 has no previous frame")));
            harness.processElement(new StreamRecord<>(triplet(0, 5, png, png, png, null)));
            harness.processElement(new StreamRecord<>(triplet(0, 6, png, new byte[0], png, null)));
            out = harness.extractOutputValues();
        }

        assertThat(out).extracting(PreparedTriplet::line).containsExactly(2, 3, 4, 1, 5, 6);
        assertThat(out).extracting(PreparedTriplet::skipReason).containsExactly(
                "frames differ in size: previous 96x32, centre 96x32, next 48x32",
                "centre frame: not a PNG or JPEG image (7 bytes)",
                "semantic map is 4x4 but the centre frame 96x32",
                "frame 0 has no previous frame",
                null,
                "centre frame is empty");
        assertThat(out.get(3).description()).isEqualTo("frame 0");
        assertThat(out).filteredOn(PreparedTriplet::isSkipped).allSatisfy(t -> {
            assertThat(t.current()).isNull();
            assertThat(t.augmentation()).isNull();
        });
        assertThat(metrics.count(TripletPreparation.PREPARED_METRIC)).isEqualTo(1);
        assertThat(metrics.count(TripletPreparation.SKIPPED_METRIC)).isEqualTo(5);
    }
}
