/**
 * The node agent ({@code drpilot agent}): runs beside one PostgreSQL server with local access to its data directory
 * and binaries, and talks to the rest of drpilot only through Kafka topics. See {@code agent/DESIGN.md}.
 */
package dev.drpilot.agent;
