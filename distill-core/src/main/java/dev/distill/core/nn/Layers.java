package dev.distill.core.nn;

import static org.bytedeco.pytorch.global.torch.batch_norm;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.group_norm;

import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Functional layers over a {@link ParameterSet}; every returned tensor is in the caller's scope.
 *
 * <p>Mixed precision ({@link DeviceOptions}): convolution weights are cast to the input's dtype;
 * normalisation runs in float32 (input upcast, float32 affine parameters and running statistics)
 * and returns the input's dtype.
 */
final class Layers {
  static final double NORM_EPS = 1e-5;
  static final double BN_MOMENTUM = 0.1;

  private Layers() {}

  static void registerConv(
      ParameterSet p, SplittableRandom rng, String prefix, int in, int out, int k, boolean bias) {
    long fanIn = (long) in * k * k;
    p.addParameter(
        prefix + ".weight", ParameterSet.uniformFanIn(rng, out * in * k * k, fanIn), out, in, k, k);
    if (bias) {
      p.addParameter(prefix + ".bias", ParameterSet.uniformFanIn(rng, out, fanIn), out);
    }
  }

  static void registerLinear(ParameterSet p, SplittableRandom rng, String prefix, int in, int out) {
    p.addParameter(prefix + ".weight", ParameterSet.uniformFanIn(rng, out * in, in), out, in);
    p.addParameter(prefix + ".bias", ParameterSet.uniformFanIn(rng, out, in), out);
  }

  static void registerNorm(ParameterSet p, Norm norm, String prefix, int channels) {
    if (norm == Norm.NONE) {
      return;
    }
    p.addParameter(prefix + ".weight", ParameterSet.filled(channels, 1f), channels);
    p.addParameter(prefix + ".bias", ParameterSet.filled(channels, 0f), channels);
    if (norm == Norm.BATCH) {
      p.addBuffer(prefix + ".running_mean", ParameterSet.filled(channels, 0f), channels);
      p.addBuffer(prefix + ".running_var", ParameterSet.filled(channels, 1f), channels);
    }
  }

  /** {@code t} in the dtype of {@code like} (itself if it already is). */
  static Tensor like(Tensor t, Tensor like) {
    ScalarType want = like.scalar_type().intern();
    return t.scalar_type().intern() == want ? t : t.to(want);
  }

  static Tensor conv(Tensor x, ParameterSet p, String prefix, boolean bias, int stride, int pad) {
    TensorOptional b =
        bias ? new TensorOptional(like(p.get(prefix + ".bias"), x)) : new TensorOptional();
    return conv2d(
        x,
        like(p.get(prefix + ".weight"), x),
        b,
        new long[] {stride, stride},
        new long[] {pad, pad},
        new long[] {1, 1},
        1);
  }

  static Tensor norm(Tensor x, ParameterSet p, Norm norm, String prefix, boolean training) {
    if (norm == Norm.NONE || x.scalar_type().intern() == ScalarType.Float) {
      return normFloat(x, p, norm, prefix, training);
    }
    return normFloat(x.to(ScalarType.Float), p, norm, prefix, training)
        .to(x.scalar_type().intern());
  }

  private static Tensor normFloat(
      Tensor x, ParameterSet p, Norm norm, String prefix, boolean training) {
    switch (norm) {
      case INSTANCE:
        return group_norm(
            x,
            x.size(1),
            new TensorOptional(p.get(prefix + ".weight")),
            new TensorOptional(p.get(prefix + ".bias")),
            NORM_EPS,
            false);
      case BATCH:
        return batch_norm(
            x,
            new TensorOptional(p.get(prefix + ".weight")),
            new TensorOptional(p.get(prefix + ".bias")),
            new TensorOptional(p.get(prefix + ".running_mean")),
            new TensorOptional(p.get(prefix + ".running_var")),
            training,
            BN_MOMENTUM,
            NORM_EPS,
            false);
      case NONE:
        return x;
      default:
        throw new AssertionError(norm);
    }
  }

  static void checkInput(Tensor images, long[] inputShape, DeviceOptions device) {
    checkInput(images, inputShape);
    device.checkOn(images, "images");
  }

  static void checkInput(Tensor images, long[] inputShape) {
    boolean ok =
        images.dim() == 4
            && images.size(1) == inputShape[0]
            && images.size(2) == inputShape[1]
            && images.size(3) == inputShape[2];
    if (!ok) {
      throw new IllegalArgumentException(
          String.format(
              "images must have shape [B, %d, %d, %d] but had %s",
              inputShape[0], inputShape[1], inputShape[2], Arrays.toString(Tensors.shape(images))));
    }
  }
}
