package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where an RDS cluster's replication figures are read from: CloudWatch {@code AWS/RDS}
 * {@code ReplicaLag} and {@code ReplicationSlotDiskUsage} of the nodes with an
 * {@code rdsInstanceId}. Credentials come from the AWS SDK's default chain (environment,
 * profile, IAM role).
 *
 * @param endpoint an alternative endpoint (a VPC endpoint, or a test server)
 */
public record CloudWatchSource(String region, Optional<String> endpoint, Duration interval) {
}
