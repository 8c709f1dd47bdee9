package dev.distill.core.nn;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.Encoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * An {@link Encoder} that returns a classifier's penultimate features (inference mode, no
 * autograd): the embedding used for diversity, class-agreement and Fréchet-distance metrics and for
 * clustering real images.
 *
 * <p>The classifier is borrowed: the caller keeps it open while encoding and closes it afterwards.
 * The {@link #id()} names the architecture and a SHA-256 prefix of the weights taken at
 * construction. Not thread-safe (the classifier is not).
 *
 * @since 0.1.0
 */
public final class PenultimateEncoder implements Encoder {
  private final ImageClassifier classifier;
  private final String id;

  private PenultimateEncoder(ImageClassifier classifier, String id) {
    this.classifier = classifier;
    this.id = id;
  }

  /**
   * An encoder over a classifier.
   *
   * @param classifier the classifier (borrowed)
   * @return the encoder
   */
  public static PenultimateEncoder of(ImageClassifier classifier) {
    checkNotNull(classifier, "classifier");
    return new PenultimateEncoder(
        classifier, classifier.name() + "-penultimate@" + weightsHash(classifier.parameters()));
  }

  /**
   * {@inheritDoc}
   *
   * @return {@code [N, featureDim]} float32
   */
  @Override
  public Tensor encode(Tensor images) {
    checkNotNull(images, "images");
    try (NoGradGuard g = new NoGradGuard()) {
      return classifier.penultimate(images, false);
    }
  }

  /** The feature size. */
  public int featureDim() {
    return classifier.featureDim();
  }

  @Override
  public String id() {
    return id;
  }

  private static String weightsHash(ParameterSet parameters) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, Tensor> e : parameters.all().entrySet()) {
        sha.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        float[] v = dev.distill.core.tensor.Tensors.toFloats(e.getValue());
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        sha.update(b);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 must be available", e);
    }
  }
}
