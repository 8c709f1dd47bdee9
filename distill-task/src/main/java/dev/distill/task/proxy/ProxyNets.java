package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.api.ImageSize;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.io.Safetensors;
import dev.distill.core.nn.ParameterSet;
import dev.distill.core.tensor.DeviceOptions;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.InterpolateFuncOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Shared pieces of the annotation proxies: layers, init, the cover-crop geometry, IO. */
final class ProxyNets {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProxyNets() {}

  /** PyTorch's default conv init: {@code U(±1/√fanIn)} for weight and bias. */
  static void registerConv(
      ParameterSet p, SplittableRandom rng, String name, int in, int out, int k) {
    long fanIn = (long) in * k * k;
    p.addParameter(name + ".weight", uniform(rng, out * in * k * k, fanIn), out, in, k, k);
    p.addParameter(name + ".bias", uniform(rng, out, fanIn), out);
  }

  static void registerConv(
      ParameterSet p, SplittableRandom rng, String name, int in, int out, int k, float bias) {
    long fanIn = (long) in * k * k;
    p.addParameter(name + ".weight", uniform(rng, out * in * k * k, fanIn), out, in, k, k);
    float[] b = new float[out];
    java.util.Arrays.fill(b, bias);
    p.addParameter(name + ".bias", b, out);
  }

  private static float[] uniform(SplittableRandom rng, int n, long fanIn) {
    double bound = 1.0 / Math.sqrt((double) fanIn);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
    }
    return v;
  }

  /** A convolution with bias; weights cast to the input's dtype (mixed precision). */
  static Tensor conv(Tensor x, ParameterSet p, String name, int stride, int dilation) {
    Tensor w = p.get(name + ".weight");
    Tensor b = p.get(name + ".bias");
    ScalarType t = x.scalar_type().intern();
    if (w.scalar_type().intern() != t) {
      w = w.to(t);
      b = b.to(t);
    }
    long k = w.size(2);
    long pad = dilation * (k - 1) / 2;
    return torch.conv2d(
        x,
        w,
        new TensorOptional(b),
        new long[] {stride, stride},
        new long[] {pad, pad},
        new long[] {dilation, dilation},
        1);
  }

  /** Bilinear resize without antialiasing (feature maps, upsampling only). */
  static Tensor upsample(Tensor x, long height, long width) {
    if (x.size(2) == height && x.size(3) == width) {
      return x;
    }
    InterpolateFuncOptions opts = new InterpolateFuncOptions();
    opts.size().put(new LongVector(height, width));
    opts.mode().put(new org.bytedeco.pytorch.kBilinear());
    opts.align_corners().put(false);
    return torch.interpolate(x, opts);
  }

  /** Images to the proxy's input: {@link ImageTransforms#fit} (cover-crop), device, dtype. */
  static Tensor input(Tensor images, ProxyNetConfig c, DeviceOptions device) {
    checkNotNull(images, "images");
    Tensor x =
        ImageTransforms.fit(
            images,
            ImageSize.of(c.imageHeight(), c.imageWidth()),
            c.channels(),
            ResizeMode.COVER_CROP);
    return device.compute(device.place(x.to(ScalarType.Float)));
  }

  static void checkTargets(Tensor images, List<ImageAnnotations> targets, int numCategories) {
    checkNotNull(targets, "targets");
    checkCount(images, targets.size());
    checkCategories(targets, numCategories);
  }

  static void checkCount(Tensor images, int targets) {
    checkArgument(
        images.dim() == 4 && images.size(0) == targets,
        "targets must have one entry per image (%s) but had %s",
        images.dim() == 4 ? images.size(0) : -1,
        targets);
  }

  /** Every target's objects name categories in {@code [1, numCategories]}. */
  static void checkCategories(List<ImageAnnotations> targets, int numCategories) {
    checkNotNull(targets, "targets");
    for (int i = 0; i < targets.size(); i++) {
      for (var o : targets.get(i).objects()) {
        checkArgument(
            o.categoryId() <= numCategories,
            "targets[%s] must name categories in [1, %s] but had %s",
            i,
            numCategories,
            o.categoryId());
      }
    }
  }

  /**
   * The cover-crop geometry from a {@code srcH × srcW} frame to {@code dstH × dstW}, as {@link
   * ImageTransforms#resize} applies it: {@code {scaleY, scaleX, top, left}}; a source point {@code
   * (y, x)} lands at {@code (y·scaleY − top, x·scaleX − left)}.
   */
  static double[] cover(int srcH, int srcW, int dstH, int dstW) {
    if (srcH == dstH && srcW == dstW) {
      return new double[] {1, 1, 0, 0};
    }
    double sh = (double) dstH / srcH;
    double sw = (double) dstW / srcW;
    int h;
    int w;
    if (sh >= sw) {
      h = dstH;
      w = Math.max(dstW, (int) (srcW * sh));
    } else {
      h = Math.max(dstH, (int) (srcH * sw));
      w = dstW;
    }
    int top = (int) Math.round((h - dstH) / 2.0);
    int left = (int) Math.round((w - dstW) / 2.0);
    return new double[] {(double) h / srcH, (double) w / srcW, top, left};
  }

  static Map<String, String> metadata(String architecture, ProxyNetConfig config) {
    try {
      return Map.of("architecture", architecture, "config", JSON.writeValueAsString(config));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("config must serialise to JSON", e);
    }
  }

  static ProxyNetConfig config(Safetensors st, String architecture) {
    Map<String, String> meta = st.metadata();
    checkArgument(
        architecture.equals(meta.get("architecture")),
        "weights file %s must have metadata architecture=%s but had %s",
        st.file(),
        architecture,
        meta.get("architecture"));
    try {
      return JSON.readValue(meta.get("config"), ProxyNetConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "weights file " + st.file() + " must hold a ProxyNetConfig in metadata 'config'", e);
    }
  }
}
