package dev.drpilot.failover;

import io.fabric8.kubernetes.client.KubernetesClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.route53.Route53Client;

import java.net.URI;
import java.util.Optional;

/** The Kubernetes and AWS clients the cloud steps act with, one per process and shared by every runbook. */
public interface CloudClients {
    KubernetesClient kubernetes();

    /** Route 53 is global: one client per endpoint. */
    Route53Client route53(Optional<URI> endpoint);

    RdsClient rds(Region region, Optional<URI> endpoint);
}
