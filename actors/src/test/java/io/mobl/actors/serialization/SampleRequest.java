package io.mobl.actors.serialization;

import org.apache.pekko.actor.typed.ActorRef;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A message of the shape the runtime's requests to remote math actors take: the iteration, x_k, a warm start that
 * may be missing (k = 0), a matrix, and where to answer. Records compare arrays by reference, so tests compare the
 * fields ({@link Wire#assertSameBits}).
 */
public record SampleRequest(int iteration, double[] x, double[] warmStart, INDArray matrix, ActorRef<SampleRequest> replyTo)
        implements VectorMessage {

    /** Its codec, listed in the tests' {@code mobl.serialization.vector-codecs}. */
    public static final class Codec implements WireCodec<SampleRequest> {
        @Override
        public Class<SampleRequest> type() {
            return SampleRequest.class;
        }

        @Override
        public String manifest() {
            return "sample-request";
        }

        @Override
        public int encodedSize(SampleRequest m, Sizes sizes) {
            return Integer.BYTES + WireWriter.vectorSize(m.x()) + WireWriter.vectorSize(m.warmStart())
                    + WireWriter.arraySize(m.matrix()) + sizes.actorRef(m.replyTo());
        }

        @Override
        public void write(SampleRequest m, WireWriter out) {
            out.putInt(m.iteration()).putVector(m.x()).putVector(m.warmStart()).putArray(m.matrix())
                    .putActorRef(m.replyTo());
        }

        @Override
        public SampleRequest read(WireReader in) {
            return new SampleRequest(in.getInt("iteration"), in.getVector("x"), in.getVector("warmStart"),
                    in.getArray("matrix"), in.getActorRef("replyTo"));
        }
    }
}
