package io.depthstream.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

import java.util.Map;

/** A test environment whose operator metric group keeps every registered metric, so tests can read counters. */
public final class InterceptedMetrics {

    private final InterceptingOperatorMetricGroup operatorGroup = new InterceptingOperatorMetricGroup();

    /** A mock task environment handing {@link #operatorGroup} to the operator under test. */
    public MockEnvironment environment() {
        return new MockEnvironmentBuilder()
                .setMetricGroup(new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
                    @Override
                    public InternalOperatorMetricGroup getOrAddOperator(
                            OperatorID operatorId, String name, Map<String, String> additionalVariables) {
                        return operatorGroup;
                    }
                })
                .build();
    }

    /** The current count of the counter registered as {@code name}. */
    public long count(String name) {
        Metric metric = operatorGroup.get(name);
        if (!(metric instanceof Counter counter)) {
            throw new AssertionError("no counter registered as " + name + " (found " + metric + ")");
        }
        return counter.getCount();
    }
}
