package dev.drpilot.failover;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures of a cluster's transactional producer mean that another actuator took the cluster over. */
class ClusterRecorderTest {

    @Test
    void aNewerProducerOfTheTransactionalIdIsWhatFencedMeans() {
        assertThat(ClusterRecorder.fenced(new ProducerFencedException("newer epoch"))).isTrue();
        // What a broker with transactions version 2 answers a zombie's produce request.
        assertThat(ClusterRecorder.fenced(new InvalidProducerEpochException("old epoch"))).isTrue();
        assertThat(ClusterRecorder.fenced(new KafkaException("commit failed", new ProducerFencedException("newer epoch")))).isTrue();
        assertThat(ClusterRecorder.fenced(new ExecutionException(new InvalidProducerEpochException("old epoch")))).isTrue();
    }

    @Test
    void kafkaTroubleIsNotFenced() {
        assertThat(ClusterRecorder.fenced(new TimeoutException("broker unreachable"))).isFalse();
        assertThat(ClusterRecorder.fenced(new TransactionalIdAuthorizationException("no ACL"))).isFalse();
        assertThat(ClusterRecorder.fenced(new KafkaException("something else"))).isFalse();
    }
}
