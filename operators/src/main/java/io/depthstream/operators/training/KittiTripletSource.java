package io.depthstream.operators.training;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The offline training job's bounded source: the triplets of a KITTI split file's lines, epoch after epoch, each
 * epoch in its own shuffled order (see {@link KittiTripletEnumerator} for how lines are handed out and
 * {@link KittiTripletReader} for what is read and the metrics). Lines that cannot be read arrive as skipped
 * triplets with the reason.
 */
public final class KittiTripletSource implements Source<EncodedTriplet, KittiTripletSplit, TripletEnumeratorState>,
        ResultTypeQueryable<EncodedTriplet> {

    private static final long serialVersionUID = 1L;

    private final TripletSourceConfig config;

    /** A source reading what {@code config} describes. */
    public KittiTripletSource(TripletSourceConfig config) {
        this.config = config;
    }

    /** What this source reads. */
    public TripletSourceConfig config() {
        return config;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SplitEnumerator<KittiTripletSplit, TripletEnumeratorState> createEnumerator(
            SplitEnumeratorContext<KittiTripletSplit> context) throws Exception {
        return new KittiTripletEnumerator(context, config, KittiTripletEnumerator.splitLines(config),
                KittiTripletEnumerator.initialState(config));
    }

    @Override
    public SplitEnumerator<KittiTripletSplit, TripletEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<KittiTripletSplit> context, TripletEnumeratorState state) throws Exception {
        return new KittiTripletEnumerator(context, config, KittiTripletEnumerator.splitLines(config), state);
    }

    @Override
    public SimpleVersionedSerializer<KittiTripletSplit> getSplitSerializer() {
        return KittiTripletSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<TripletEnumeratorState> getEnumeratorCheckpointSerializer() {
        return TripletEnumeratorStateSerializer.INSTANCE;
    }

    @Override
    public SourceReader<EncodedTriplet, KittiTripletSplit> createReader(SourceReaderContext context) {
        return new KittiTripletReader(context, config);
    }

    @Override
    public TypeInformation<EncodedTriplet> getProducedType() {
        return TypeInformation.of(EncodedTriplet.class);
    }
}
