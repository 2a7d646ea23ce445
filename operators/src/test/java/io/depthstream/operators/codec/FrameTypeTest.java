package io.depthstream.operators.codec;

import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import io.depthstream.operators.triplet.Triplet;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming records serialise with Flink's own serialisers (POJO), never falling back to Kryo. */
class FrameTypeTest {

    private static <T> T roundTrip(Class<T> type, T value) throws IOException {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // creating a serializer that needs Kryo now throws
        TypeSerializer<T> serializer = info.createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    private static Frame frame(long seq, boolean semantic) {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 11 + seq);
        }
        return new Frame("cam-" + seq, seq, 1_700_000_000_000L + seq, 1_700_000_000_500L,
                new Intrinsics(2.5, 3.5, 1.25, 0.75), new RgbImage(4, 2, rgb),
                semantic ? new byte[] {0, 1, 2, 3, 4, 5, 6, (byte) 255} : null, 1234, 5678);
    }

    private static void assertSameFrame(Frame actual, Frame expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        assertThat(actual.image().rgb()).containsExactly(expected.image().rgb());
    }

    @Test
    void frameRoundTripsWithoutKryo() throws IOException {
        Frame frame = frame(7, true);
        Frame copy = roundTrip(Frame.class, frame);
        assertSameFrame(copy, frame);
        assertThat(copy.semantic()).containsExactly(0, 1, 2, 3, 4, 5, 6, (byte) 255);
        assertThat(copy.decodeNanos()).isEqualTo(1234);
        assertThat(copy.resizeNanos()).isEqualTo(5678);

        Frame withoutSemantic = roundTrip(Frame.class, frame(8, false));
        assertThat(withoutSemantic.semantic()).isNull();
    }

    @Test
    void tripletRoundTripsWithAbsentNeighbours() throws IOException {
        Triplet full = new Triplet(frame(1, false), frame(2, true), frame(3, false));
        Triplet copy = roundTrip(Triplet.class, full);
        assertSameFrame(copy.prev(), full.prev());
        assertSameFrame(copy.cur(), full.cur());
        assertSameFrame(copy.next(), full.next());

        Triplet alone = roundTrip(Triplet.class, new Triplet(null, frame(5, false), null));
        assertThat(alone.prev()).isNull();
        assertThat(alone.next()).isNull();
        assertThat(alone.cur().seq()).isEqualTo(5);
    }

    @Test
    void ingestRecordsRoundTripWithoutKryo() throws IOException {
        IncomingFrame incoming = new IncomingFrame(new byte[] {'c'}, new byte[] {1, 2, 3},
                new WireHeader[] {new WireHeader("ds.seq", "42".getBytes()), new WireHeader("empty", null)},
                99L, "frames", 3, 1234L, 100L);
        IncomingFrame copy = roundTrip(IncomingFrame.class, incoming);
        assertThat(copy.key()).containsExactly('c');
        assertThat(copy.value()).containsExactly(1, 2, 3);
        assertThat(copy.headers()).hasSize(2);
        assertThat(copy.headers()[0].name()).isEqualTo("ds.seq");
        assertThat(copy.headers()[0].value()).containsExactly("42".getBytes());
        assertThat(copy.headers()[1].value()).isNull();
        assertThat(copy.source()).isEqualTo("frames/3/1234");
        assertThat(copy.timestampMs()).isEqualTo(99L);
        assertThat(copy.receivedAtMs()).isEqualTo(100L);

        RejectedRecord rejected = roundTrip(RejectedRecord.class, RejectedRecord.of(incoming, "bad\nthing"));
        assertThat(rejected.reason()).isEqualTo("bad thing");
        assertThat(rejected.source()).isEqualTo("frames/3/1234");
        assertThat(rejected.key()).containsExactly('c');
        assertThat(rejected.headers()).hasSize(2);
    }
}
