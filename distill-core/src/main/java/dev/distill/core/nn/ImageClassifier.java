package dev.distill.core.nn;

import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;

/**
 * A trainable image classifier: logits, penultimate features, named parameters that save and load
 * as safetensors.
 *
 * <p>Inputs are {@code [B, C, H, W]} float images (in {@code [-1, 1]} by the library's convention)
 * on the model's device ({@link #deviceOptions()}); a model in a reduced precision casts them
 * itself and returns float32 logits and features (see {@link DeviceOptions} for the mixed precision
 * policy). Parameters are float32 on that device. The model owns its parameter tensors and frees
 * them on {@link #close()}; every tensor a forward method returns belongs to the caller's current
 * {@code TensorScope}. Whether autograd records a graph is decided by the caller (wrap inference in
 * a {@code NoGradGuard}). Not thread-safe: use one model per thread.
 *
 * @since 0.1.0
 */
public interface ImageClassifier extends AutoCloseable {

  /**
   * The logits of a batch.
   *
   * @param images {@code [B, C, H, W]} float32
   * @param training whether batch-norm layers use batch statistics and update their running
   *     statistics (ignored by models without batch norm)
   * @return {@code [B, numClasses]} logits, owned by the caller's scope
   * @throws IllegalArgumentException if the images do not have the model's input shape
   */
  Tensor forward(Tensor images, boolean training);

  /**
   * The logits of a batch in inference mode ({@code forward(images, false)}).
   *
   * @param images {@code [B, C, H, W]} float32
   * @return {@code [B, numClasses]} logits, owned by the caller's scope
   */
  default Tensor forward(Tensor images) {
    return forward(images, false);
  }

  /**
   * The features before the final linear layer, in inference mode: the flattened last feature map
   * for {@link ConvNet}, the globally pooled features for {@link ResNet18}. Used for embeddings,
   * diversity and Fréchet-distance metrics.
   *
   * @param images {@code [B, C, H, W]} float32
   * @return {@code [B, featureDim()]} features, owned by the caller's scope
   */
  default Tensor penultimate(Tensor images) {
    return penultimate(images, false);
  }

  /**
   * The penultimate features of a batch.
   *
   * @param images {@code [B, C, H, W]} float32
   * @param training as in {@link #forward(Tensor, boolean)}
   * @return {@code [B, featureDim()]} features, owned by the caller's scope
   */
  Tensor penultimate(Tensor images, boolean training);

  /** Where and in which precision this model runs. */
  DeviceOptions deviceOptions();

  /** The input shape {@code [C, H, W]} this model accepts. */
  long[] inputShape();

  /** The number of classes (columns of the logits). */
  int numClasses();

  /** The size of the penultimate features. */
  int featureDim();

  /** The named parameters (trainable) and buffers (running statistics); owned by this model. */
  ParameterSet parameters();

  /** A short architecture name for reports ("convnet3", "resnet18"). */
  String name();

  /**
   * Writes the weights as safetensors, with the architecture configuration in the metadata, so the
   * file can be read back with the architecture's {@code load} method.
   *
   * @param file the destination (written atomically)
   * @throws IOException if writing fails
   */
  void save(Path file) throws IOException;

  /** Frees the parameter tensors. */
  @Override
  void close();
}
