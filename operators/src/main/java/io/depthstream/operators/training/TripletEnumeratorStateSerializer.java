package io.depthstream.operators.training;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpoint form of {@link TripletEnumeratorState} (version 1): next epoch, parallelism, the pending splits, then
 * per reader its outstanding splits, each split as {@link KittiTripletSplitSerializer} writes it.
 */
public final class TripletEnumeratorStateSerializer implements SimpleVersionedSerializer<TripletEnumeratorState> {

    /** The one instance; the serializer holds no state. */
    public static final TripletEnumeratorStateSerializer INSTANCE = new TripletEnumeratorStateSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(TripletEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(state.nextEpoch());
        out.writeInt(state.parallelism());
        out.writeInt(state.pending().size());
        for (KittiTripletSplit split : state.pending()) {
            KittiTripletSplitSerializer.write(split, out);
        }
        out.writeInt(state.outstanding().size());
        for (Map.Entry<Integer, List<KittiTripletSplit>> reader : state.outstanding().entrySet()) {
            out.writeInt(reader.getKey());
            out.writeInt(reader.getValue().size());
            for (KittiTripletSplit split : reader.getValue()) {
                KittiTripletSplitSerializer.write(split, out);
            }
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public TripletEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown triplet enumerator state version " + version + " (this build reads "
                    + VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int nextEpoch = in.readInt();
        int parallelism = in.readInt();
        List<KittiTripletSplit> pending = readSplits(in);
        int readers = count(in.readInt(), "readers");
        Map<Integer, List<KittiTripletSplit>> outstanding = new TreeMap<>();
        for (int i = 0; i < readers; i++) {
            int reader = in.readInt();
            outstanding.put(reader, readSplits(in));
        }
        if (in.available() > 0) {
            throw new IOException("triplet enumerator state has " + in.available() + " trailing bytes");
        }
        return new TripletEnumeratorState(nextEpoch, pending, outstanding, parallelism);
    }

    private static List<KittiTripletSplit> readSplits(DataInputDeserializer in) throws IOException {
        int count = count(in.readInt(), "splits");
        List<KittiTripletSplit> splits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            splits.add(KittiTripletSplitSerializer.read(in));
        }
        return splits;
    }

    private static int count(int count, String what) throws IOException {
        if (count < 0 || count > 1 << 24) {
            throw new IOException("implausible number of " + what + " (" + count + ") in a triplet enumerator state");
        }
        return count;
    }
}
