package dev.drpilot.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP ingest API of the collectors' process ({@code POST /v1/observations/...}).
 *
 * @param bind         the address to listen on
 * @param port         0 picks a free port
 * @param maxBodyBytes larger requests are refused with 413
 * @param token        when set, requests need {@code Authorization: Bearer <token>}
 * @param maxClockSkew observations stamped further in the future than this are rejected
 */
public record IngestApiSettings(boolean enabled, String bind, int port, long maxBodyBytes, Optional<Secret> token,
                                Duration maxClockSkew) {
}
