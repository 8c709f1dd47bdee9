package dev.distill.core.nn;

import static org.bytedeco.pytorch.global.torch.batch_norm;
import static org.bytedeco.pytorch.global.torch.conv2d;
import static org.bytedeco.pytorch.global.torch.group_norm;

import dev.distill.core.tensor.Tensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;

/** Functional layers over a {@link ParameterSet}; every returned tensor is in the caller's scope. */
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

  static Tensor conv(Tensor x, ParameterSet p, String prefix, boolean bias, int stride, int pad) {
    TensorOptional b = bias ? new TensorOptional(p.get(prefix + ".bias")) : new TensorOptional();
    return conv2d(
        x,
        p.get(prefix + ".weight"),
        b,
        new long[] {stride, stride},
        new long[] {pad, pad},
        new long[] {1, 1},
        1);
  }

  static Tensor norm(Tensor x, ParameterSet p, Norm norm, String prefix, boolean training) {
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
              inputShape[0],
              inputShape[1],
              inputShape[2],
              Arrays.toString(Tensors.shape(images))));
    }
  }
}
