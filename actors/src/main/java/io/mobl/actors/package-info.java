/**
 * The actor runtime (DESIGN §4): WC-MHGD's outer iteration as messages between Pekko typed actors, and any other
 * {@code IterativeAlgorithm} as one pure step at a time; one class per actor. Read one iteration in
 * {@link io.mobl.actors.WeightCoordinator} or {@link io.mobl.actors.StepCoordinator}; both speak
 * {@link io.mobl.actors.Coordinator}'s protocol to their manager and the user's controls.
 *
 * <pre>
 *   ActorRuntime ─▶ RuntimeGuardian ─▶ SweepManager (one per sweep)
 *                                        ├─▶ WeightCoordinator (WC-MHGD; one per preference, all in parallel)
 *                                        │     ├─▶ LowerLevelSolver          ┐
 *                                        │     ├─▶ HypergradientWorker × S   ├ on mobl-math-dispatcher
 *                                        │     └─▶ WeightSolver              ┘
 *                                        └─▶ StepCoordinator (any algorithm, durable; one per preference)
 *                                              ├─▶ StepRunner                  on mobl-math-dispatcher
 *                                              └─▶ JournalWriter               on pekko's blocking-io dispatcher
 *
 *   on a cluster: ClusterSweep (submitter, any member) ─Start(RunSpec)─▶ ShardedCoordinator entity run/index
 *                 (a member with the role coordinator) ─▶ RunFactory.part(spec) ─▶ StepCoordinator as above
 *                 ◀─RunEnded(point)─ ; Start again every cluster-resend until answered (a dead member's runs
 *                 start on another member, from the journal's newest checkpoint)
 * </pre>
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>Same iterates as the synchronous solver, bit for bit.</b> The actors call {@code WcMhgd}'s own
 *       phases on the same inputs, and the state advances by {@code WcMhgd.Iteration.next()}. One
 *       {@code CountingProblem} per preference, shared by its coordinator's children (its counters are
 *       thread-safe), so oracle counts match too, and they are read once all of an iteration's answers are in.
 *       Only the phase timings differ: the actors measure each phase as the coordinator saw it, queueing
 *       included.</li>
 *   <li><b>Warm starts travel with the requests.</b> The coordinator keeps the algorithm's state, the very
 *       {@code WcMhgdState} the synchronous loop carries (x_k, y_{k−1}^D, the v_s, r, k), and sends y_{k−1}^D
 *       with {@code SolveLower} and v_s with {@code Hypergradient}; the answers bring the new ones back. The math
 *       actors hold no state, so a restart cannot lose a warm start and a request asked again computes exactly
 *       what the failed attempt would have. In-process the arrays are passed by reference, which costs nothing;
 *       no array is modified after it was sent (the core phases never modify their inputs).</li>
 *   <li><b>Failures.</b> A math actor that throws answers with the failure, then rethrows, and its supervisor
 *       restarts it ({@code SupervisorStrategy.restart()}). Every request is an {@code ask} with
 *       {@code mobl.actors.ask-timeout}. A failed or unanswered request is asked again after
 *       {@code retry-backoff} (doubling), up to {@code max-attempts}; then the run fails with a
 *       {@link io.mobl.actors.RunFailedException} naming the actor, the objective and the iteration, and so does
 *       its sweep. A non-finite value or an invalid input is deterministic and fails the run at once. A failed
 *       attempt's oracle calls stay counted: they were made.</li>
 *   <li><b>Dispatchers.</b> The math actors run on {@code mobl-math-dispatcher}, a fixed pool of one thread per
 *       available processor (at least 2). The coordinators, managers and the guardian only keep books and run on
 *       the default dispatcher, so their timeouts and the user's controls are served even when every math thread
 *       is busy, or stuck in an oracle that never returns.</li>
 *   <li><b>What crosses nodes.</b> Only the cluster's protocol ({@link io.mobl.actors.ShardedCoordinator}'s
 *       start, dismiss and replies, bound to CBOR or the vector serializer); every message above is between an
 *       actor and its children on one node and is a {@link io.mobl.actors.LocalMessage}.</li>
 *   <li><b>Listeners.</b> A sweep's {@code RunListener} is called by each coordinator on its own thread, in
 *       iteration order per preference and concurrently across preferences: it must be thread-safe and must not
 *       block.</li>
 * </ul>
 */
package io.mobl.actors;
