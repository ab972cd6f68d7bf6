package dev.drpilot.failover.agent;

import dev.drpilot.config.AgentSettings;
import dev.drpilot.config.LeaseExpiry;
import dev.drpilot.config.NodeConfig;
import dev.drpilot.events.AgentLease;
import dev.drpilot.failover.ReadIncompleteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Waits, before a promotion past an old primary that has a node agent, until its lease proves something
 * ({@link LeaseJudgement}): reads the cluster's leases, and while the old primary's newest record is a HOLDING, reads again
 * every {@link #RECHECK} until {@code LeaseExpiry.readerWait(ttl)} has passed on this process's monotonic clock since
 * the first read. A wait that could not end within {@code budget} (the promote step's time) is not begun.
 */
public final class LeaseWait {
    private static final Logger log = LoggerFactory.getLogger(LeaseWait.class);
    static final Duration RECHECK = Duration.ofMillis(250);

    private final LeaseReader reader;
    private final LeaseExpiry expiry;
    private final Optional<LeaseSightings> sightings;

    public LeaseWait(LeaseReader reader, LeaseExpiry expiry) {
        this(reader, expiry, Optional.empty());
    }

    /** @param sightings when present, the wait counts from when this process first saw the newest record, if earlier */
    public LeaseWait(LeaseReader reader, LeaseExpiry expiry, Optional<LeaseSightings> sightings) {
        this.reader = reader;
        this.expiry = expiry;
        this.sightings = sightings;
    }

    public LeaseFinding await(String cluster, NodeConfig old, Duration budget) throws InterruptedException {
        return await(cluster, old, budget, true);
    }

    /**
     * Where the wait on the newest record counts from: the read, or the tail's earlier sighting of that very record (its send,
     * the agent's anchor, came before either) — never the sighting when {@code fromSighting} is false.
     */
    static long startOfWait(long readAt, Optional<Long> sighted, boolean fromSighting) {
        return fromSighting ? sighted.map(seen -> Math.min(seen, readAt)).orElse(readAt) : readAt;
    }

    /**
     * @param fromSighting whether the wait may count from the tail's earlier sighting of the newest record. Not in a failsafe
     *                     cluster: there the old primary also renews through its replicas' confirmations, which no record shows,
     *                     and the wait must begin after the candidate's promise was read (docs/agent.md) — the read here does
     */
    public LeaseFinding await(String cluster, NodeConfig old, Duration budget, boolean fromSighting) throws InterruptedException {
        long begin = System.nanoTime();
        Duration configuredTtl = old.agent().map(AgentSettings::leaseTtl).orElse(Duration.ZERO);
        LeaseJudgement judgement = new LeaseJudgement(old.name(), expiry, configuredTtl);
        try (LeaseReader.Session session = reader.session(cluster)) {
            List<AgentLease> records = session.read();
            long readAt = System.nanoTime();
            Optional<AgentLease> newest = records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
            Optional<Long> sighted = newest.flatMap(record -> sightings.flatMap(tail -> tail.firstSeen(record)));
            Optional<LeaseFinding> finding = judgement.first(records, startOfWait(readAt, sighted, fromSighting));
            if (finding.isEmpty()) {
                // Counted from the tail's sighting, the wait can be over by this read (a lost machine's lease, while the loss
                // was being confirmed): this read, complete to its end, is then the one that found nothing newer — no need
                // to sleep a recheck and read again for the same answer (0.25 s of every such failover on the bench).
                finding = judgement.next(List.of(), readAt);
            }
            if (finding.isPresent()) {
                return finding.get();
            }
            long needed = judgement.expiresAt() - begin;
            if (needed > budget.toNanos()) {
                return new LeaseFinding(LeaseFinding.Kind.UNREADABLE, "the lease of " + old.name() + " would expire only "
                        + TimeUnit.NANOSECONDS.toMillis(needed) + " ms from now, after the promote step's " + budget.toMillis() + " ms: give the step a"
                        + " longer timeout");
            }
            log.info("[cluster={}] waiting up to {} ms for the lease of {} to expire", cluster, TimeUnit.NANOSECONDS.toMillis(needed), old.name());
            while (true) {
                Thread.sleep(RECHECK.toMillis());
                records = session.read();
                finding = judgement.next(records, System.nanoTime());
                if (finding.isPresent()) {
                    log.info("[cluster={}] lease of {} after {} ms: {} — {}", cluster, old.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                            finding.get().kind(), finding.get().detail());
                    return finding.get();
                }
            }
        } catch (ReadIncompleteException e) {
            return new LeaseFinding(LeaseFinding.Kind.UNREADABLE, e.getMessage());
        } catch (RuntimeException e) {
            return new LeaseFinding(LeaseFinding.Kind.UNREADABLE, "could not read drpilot.agent.leases: " + e);
        }
    }
}
