package io.depthstream.operators.training;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/** Checkpoint form of {@link KittiTripletSplit}: epoch, index, emitted, line count, lines (version 1). */
public final class KittiTripletSplitSerializer implements SimpleVersionedSerializer<KittiTripletSplit> {

    /** The one instance; the serializer holds no state. */
    public static final KittiTripletSplitSerializer INSTANCE = new KittiTripletSplitSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(KittiTripletSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16 + 4 * split.size());
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public KittiTripletSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown triplet split version " + version + " (this build reads " + VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        KittiTripletSplit split = read(in);
        if (in.available() > 0) {
            throw new IOException("triplet split has " + in.available() + " trailing bytes");
        }
        return split;
    }

    static void write(KittiTripletSplit split, DataOutputView out) throws IOException {
        out.writeInt(split.epoch());
        out.writeInt(split.index());
        out.writeInt(split.emitted());
        out.writeInt(split.size());
        for (int i = 0; i < split.size(); i++) {
            out.writeInt(split.line(i));
        }
    }

    static KittiTripletSplit read(DataInputView in) throws IOException {
        int epoch = in.readInt();
        int index = in.readInt();
        int emitted = in.readInt();
        int count = in.readInt();
        if (count < 1 || count > 1 << 24) {
            throw new IOException("implausible line count " + count + " in a triplet split");
        }
        int[] lines = new int[count];
        for (int i = 0; i < count; i++) {
            lines[i] = in.readInt();
        }
        try {
            return new KittiTripletSplit(epoch, index, lines, emitted);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt triplet split: " + e.getMessage(), e);
        }
    }
}
