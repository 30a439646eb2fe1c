package io.mobl.actors;

import io.mobl.actors.serialization.VectorMessage;
import io.mobl.actors.serialization.WireCodec;
import io.mobl.actors.serialization.WireReader;
import io.mobl.actors.serialization.WireWriter;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.CborSerializable;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A coordinator as a Cluster Sharding entity ({@link #TYPE}, entity id {@code run/index}): one preference of a sweep
 * submitted on any member ({@link ClusterSweep}) runs on whichever member its shard lives on. It is started by a
 * {@link Start} that carries only a {@link RunSpec} (serializable), from which the node's {@link RunFactory}
 * rebuilds the algorithm; the run itself is the single-node {@link StepCoordinator}, with the node's journals.
 *
 * <pre>
 *   Start(spec, replyTo) ─▶ entity run/i ─▶ factory.part(spec) ─▶ StepCoordinator (recovers the journal first)
 *   Finished ─▶ RunEnded(point) ─▶ replyTo; a later Start is answered with the same RunEnded
 * </pre>
 *
 * When a member dies its shards move to the others, and the submitter, which sends {@link Start} again until it
 * has every answer, starts the entity there; with a journal that every member reads (Kafka, a shared directory)
 * the run goes on from its newest checkpoint, else from the beginning. Either way the point is the one an
 * uninterrupted run finds, bit for bit: the steps are pure and a checkpoint restores the state exactly.
 *
 * <p>Cross-node messages: {@link Start}, {@link Dismiss} and {@link RunFailed} as Jackson CBOR, {@link RunEnded}
 * (the point's vectors) through the vector serializer ({@link RunEndedCodec}).
 */
public final class ShardedCoordinator {
    private ShardedCoordinator() {}

    public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "coordinator");
    /** The cluster role of the members that run coordinators; on the others {@link #init} starts a proxy only. */
    public static final String ROLE = "coordinator";

    public interface Command {}

    /** Starts the run of {@code spec} unless it runs already; answered once it ends (again if asked again). */
    public record Start(RunSpec spec, ActorRef<Reply> replyTo) implements Command, CborSerializable {
        public Start {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** The submitter has every answer: the entity stops (its run, if one still goes, with it). */
    public record Dismiss(String entityId) implements Command, CborSerializable {}

    private record Ended(Coordinator.Outcome outcome) implements Command, LocalMessage {}

    private record RunStopped() implements Command, LocalMessage {}

    public interface Reply {}

    /** @param node the address of the member the run ended on */
    public record RunEnded(int index, ParetoPoint point, String node) implements Reply, VectorMessage {}

    /** @param reason the failure's message (the exception stays in the node's log) */
    public record RunFailed(int index, String entityId, String node, String reason) implements Reply, CborSerializable {}

    /**
     * Starts the sharding of coordinators on this member ({@link ClusterSharding#init}; once per actor system): the
     * entities run on the members with the role {@value #ROLE}; a member without it (a submitter) gets a proxy.
     *
     * @param journals the node's journals: shared by the members (Kafka, a shared directory) for a run to go on
     *                 from its checkpoint on another one; {@link RunJournal.Factory#NONE} for no checkpoints
     */
    public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system, RunFactory factory,
                                                           RunJournal.Factory journals, RuntimeSettings settings) {
        return ClusterSharding.get(system).init(Entity.of(TYPE,
                context -> create(context.getEntityId(), factory, journals, settings)).withRole(ROLE));
    }

    static Behavior<Command> create(String entityId, RunFactory factory, RunJournal.Factory journals,
                                    RuntimeSettings settings) {
        return Behaviors.setup(context -> idle(context, entityId, factory, journals, settings));
    }

    private static Behavior<Command> idle(ActorContext<Command> context, String entityId, RunFactory factory,
                                          RunJournal.Factory journals, RuntimeSettings settings) {
        return Behaviors.receive(Command.class)
                .onMessage(Start.class, m -> {
                    RunSpec spec = m.spec();
                    if (!spec.entityId().equals(entityId)) {
                        m.replyTo().tell(failed(context, spec, "a start for " + spec.entityId() + " reached " + entityId));
                        return Behaviors.same();
                    }
                    AlgorithmPreferenceRun run;
                    try {
                        AlgorithmSweepSpec.Part part = factory.part(spec);
                        run = new AlgorithmPreferenceRun(part, AlgorithmSweepSpec.Until.iterations(spec.iterations()),
                                spec.run(), spec.index(), spec.preference(), RunListener.NONE,
                                checkpointing(context, entityId, part, journals, spec.checkpointEvery()), 0,
                                AlgorithmSweepSpec.StepObserver.NONE);
                    } catch (RuntimeException e) {
                        context.getLog().error("{}: cannot build its run from {}", entityId, spec, e);
                        m.replyTo().tell(failed(context, spec, "its run cannot be built: " + e.getMessage()));
                        return Behaviors.stopped();
                    }
                    ActorRef<Coordinator.Outcome> ended = context.messageAdapter(Coordinator.Outcome.class, Ended::new);
                    ActorRef<Coordinator.Command> coordinator =
                            context.spawn(StepCoordinator.create(run, settings, ended), "run");
                    context.watchWith(coordinator, new RunStopped());
                    context.getLog().info("{}: started on {}", entityId, node(context));
                    return running(context, spec, coordinator, m.replyTo());
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private static Behavior<Command> running(ActorContext<Command> context, RunSpec spec,
                                             ActorRef<Coordinator.Command> coordinator, ActorRef<Reply> submitter) {
        return Behaviors.receive(Command.class)
                .onMessage(Start.class, m -> running(context, spec, coordinator, m.replyTo())) // the newest submitter
                .onMessage(Ended.class, m -> {
                    coordinator.tell(new Coordinator.Dismiss());
                    Reply reply = m.outcome() instanceof Coordinator.Finished f
                            ? new RunEnded(spec.index(), f.solution().point(), node(context))
                            : failed(context, spec, ((Coordinator.Failed) m.outcome()).error().getMessage());
                    submitter.tell(reply);
                    return ended(reply);
                })
                .onMessage(RunStopped.class, m -> {
                    Reply reply = failed(context, spec, "its coordinator stopped without a result (see the log of "
                            + node(context) + " for its exception)");
                    submitter.tell(reply);
                    return ended(reply);
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .build();
    }

    /**
     * The node's journals for a run submitted with a checkpoint interval whose algorithm has a checkpoint codec;
     * none otherwise (it starts again from its initial state on another member, which finds the same point, later).
     */
    private static Checkpointing checkpointing(ActorContext<Command> context, String entityId,
                                               AlgorithmSweepSpec.Part part, RunJournal.Factory journals, int every) {
        if (every == 0) return Checkpointing.NONE;
        try {
            part.algorithm().stateCodec();
        } catch (UnsupportedOperationException e) {
            if (journals != RunJournal.Factory.NONE) {
                context.getLog().info("{}: not journaled ({}): a restart begins again", entityId, e.getMessage());
            }
            return Checkpointing.NONE;
        }
        return new Checkpointing(journals, every);
    }

    private static Behavior<Command> ended(Reply reply) {
        return Behaviors.receive(Command.class)
                .onMessage(Start.class, m -> {
                    m.replyTo().tell(reply);
                    return Behaviors.same();
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private static RunFailed failed(ActorContext<Command> context, RunSpec spec, String reason) {
        return new RunFailed(spec.index(), spec.entityId(), node(context), reason);
    }

    private static String node(ActorContext<?> context) {
        return Cluster.get(context.getSystem()).selfMember().address().toString();
    }

    /** {@link RunEnded} on the wire: the point's vectors as raw doubles. */
    public static final class RunEndedCodec implements WireCodec<RunEnded> {
        @Override public Class<RunEnded> type() { return RunEnded.class; }

        @Override public String manifest() { return "run-ended"; }

        @Override
        public int encodedSize(RunEnded m, Sizes sizes) {
            ParetoPoint p = m.point();
            return Integer.BYTES + WireWriter.stringSize(m.node()) + WireWriter.stringSize(p.run())
                    + WireWriter.vectorSize(p.preference()) + WireWriter.vectorSize(p.x())
                    + WireWriter.vectorSize(p.objectives()) + Double.BYTES + Integer.BYTES + 4 * Long.BYTES;
        }

        @Override
        public void write(RunEnded m, WireWriter out) {
            ParetoPoint p = m.point();
            OracleCalls c = p.oracleCalls();
            out.putInt(m.index()).putString(m.node()).putString(p.run()).putVector(p.preference()).putVector(p.x())
                    .putVector(p.objectives()).putDouble(p.stationarity()).putInt(p.iterations())
                    .putLong(c.upperGradients()).putLong(c.lowerGradients()).putLong(c.jacobianVectorProducts())
                    .putLong(c.hessianVectorProducts());
        }

        @Override
        public RunEnded read(WireReader in) {
            int index = in.getInt("index");
            String node = in.getString("node");
            ParetoPoint point = new ParetoPoint(in.getString("run"), in.getVector("preference"), in.getVector("x"),
                    in.getVector("objectives"), in.getDouble("stationarity"), in.getInt("iterations"),
                    new OracleCalls(in.getLong("upperGradients"), in.getLong("lowerGradients"),
                            in.getLong("jacobianVectorProducts"), in.getLong("hessianVectorProducts")));
            return new RunEnded(index, point, node);
        }
    }
}
