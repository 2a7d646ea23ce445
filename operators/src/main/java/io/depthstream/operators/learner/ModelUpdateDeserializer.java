package io.depthstream.operators.learner;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka deserialisation of the {@code model-updates} topic into {@link ModelUpdate}s. A record that is not a valid
 * update is logged and skipped: failing would restart the job on the same record again and again, stopping
 * inference for every camera over an announcement the serving model does not need.
 */
public final class ModelUpdateDeserializer implements KafkaRecordDeserializationSchema<ModelUpdate> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelUpdateDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdate> out) {
        ModelUpdate update;
        try {
            update = ModelUpdate.fromJson(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping model update {}/{}/{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        out.collect(update);
    }

    @Override
    public TypeInformation<ModelUpdate> getProducedType() {
        return TypeInformation.of(ModelUpdate.class);
    }
}
