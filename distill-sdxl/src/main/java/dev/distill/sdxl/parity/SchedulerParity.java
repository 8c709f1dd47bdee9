package dev.distill.sdxl.parity;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.Safetensors;
import dev.distill.core.scheduler.DdimScheduler;
import dev.distill.core.scheduler.NoiseSource;
import dev.distill.core.scheduler.Scheduler;
import dev.distill.core.scheduler.SchedulerRun;
import dev.distill.core.scheduler.Schedulers;
import dev.distill.core.scheduler.StepOutput;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Golden parity of the schedulers against a {@code schedulers.safetensors} fixture written by
 * diffusers (layout: {@code sdxl-tiny/cases/README.md}).
 *
 * <p>Every case {@code K.nN.*} found in the file is run: scheduler {@code K} is built from the
 * file's {@code __metadata__} entry {@code K.config} (never from constants), started with N steps,
 * and its timesteps, sigmas and {@code init_noise_sigma} are compared, then the trajectory is
 * replayed from {@code x_T_unscaled} with the recorded model outputs (and, for ancestral sampling,
 * the recorded {@code ancestral_noise}), comparing {@code model_input}, {@code prev_sample} and
 * {@code pred_original_sample} at every step. {@code K.alphas_cumprod} and {@code
 * K.final_alpha_cumprod} are compared when present. Tolerances are the fixture README's.
 *
 * <p>Results are named {@code K.nN:quantity} ({@code K:quantity} for per-scheduler tables).
 * Stateless and thread-safe; each call opens and closes its own tensor scope.
 */
final class SchedulerParity {
  /** Relative tolerance for sigmas, {@code init_noise_sigma} and ᾱ (absolute tolerance 0). */
  static final double SCHEDULE_RTOL = 1e-6;

  /** Absolute tolerance for trajectories ({@code model_input}, {@code prev_sample}, x̂0). */
  static final double TRAJECTORY_ATOL = 1e-5;

  /** Relative tolerance for trajectories. */
  static final double TRAJECTORY_RTOL = 1e-5;

  private static final Pattern CASE = Pattern.compile("(.+)\\.n(\\d+)\\.timesteps");

  private SchedulerParity() {}

  /**
   * Runs every case of a fixture file.
   *
   * @param schedulersSafetensors the {@code schedulers.safetensors} file
   * @return one result per compared quantity, in case order
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no case, or a case lacks its config or tensors
   */
  static List<CaseResult> run(Path schedulersSafetensors) throws IOException {
    checkNotNull(schedulersSafetensors, "schedulersSafetensors");
    List<CaseResult> results = new ArrayList<>();
    try (Safetensors file = Safetensors.open(schedulersSafetensors);
        TensorScope scope = TensorScope.open()) {
      Map<String, List<Integer>> cases = discover(file);
      checkArgument(
          !cases.isEmpty(),
          "%s must hold scheduler cases named K.nN.timesteps but has none",
          schedulersSafetensors);
      for (Map.Entry<String, List<Integer>> e : cases.entrySet()) {
        String key = e.getKey();
        Scheduler scheduler = build(file, key);
        results.addAll(checkTables(file, key, scheduler));
        for (int n : e.getValue()) {
          results.addAll(checkCase(file, key, n, scheduler));
        }
      }
    }
    return List.copyOf(results);
  }

  /** Scheduler keys → sorted step counts. */
  private static Map<String, List<Integer>> discover(Safetensors file) {
    Map<String, List<Integer>> cases = new TreeMap<>();
    for (String name : file.names()) {
      Matcher m = CASE.matcher(name);
      if (m.matches()) {
        cases.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
      }
    }
    cases.values().forEach(l -> l.sort(Comparator.naturalOrder()));
    return cases;
  }

  private static Scheduler build(Safetensors file, String key) {
    String json = file.metadata().get(key + ".config");
    checkArgument(
        json != null,
        "%s must have the metadata entry '%s.config' for its cases but does not",
        file.file(),
        key);
    return Schedulers.fromConfig(
        JsonConfig.parse(file.file() + " metadata " + key + ".config", json));
  }

  private static List<CaseResult> checkTables(Safetensors file, String key, Scheduler scheduler) {
    List<CaseResult> out = new ArrayList<>();
    if (file.contains(key + ".alphas_cumprod")) {
      double[] actual = new double[scheduler.numTrainTimesteps()];
      for (int t = 0; t < actual.length; t++) {
        actual[t] = scheduler.alphaCumprod(t);
      }
      out.add(compare(file, key, "alphas_cumprod", doubles(actual), 0, SCHEDULE_RTOL));
    }
    if (file.contains(key + ".final_alpha_cumprod") && scheduler instanceof DdimScheduler ddim) {
      Tensor expected = file.tensor(key + ".final_alpha_cumprod");
      Tensor actual =
          doubles(new double[] {ddim.finalAlphaCumprod()}).reshape(Tensors.shape(expected));
      out.add(compare(file, key, "final_alpha_cumprod", actual, 0, SCHEDULE_RTOL));
    }
    return out;
  }

  private static List<CaseResult> checkCase(
      Safetensors file, String key, int n, Scheduler scheduler) {
    String name = key + ".n" + n;
    String p = name + ".";
    List<CaseResult> out = new ArrayList<>();
    try (SchedulerRun run = scheduler.start(n);
        TensorScope scope = TensorScope.open()) {
      int steps = run.timesteps().size();
      double[] timesteps = new double[steps];
      for (int i = 0; i < steps; i++) {
        timesteps[i] = run.timesteps().get(i);
      }
      out.add(compare(file, name, "timesteps", doubles(timesteps), 0, 0));
      if (file.contains(p + "sigmas")) {
        double[] sigmas = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
          sigmas[i] = run.sigma(i);
        }
        out.add(compare(file, name, "sigmas", doubles(sigmas), 0, SCHEDULE_RTOL));
      }
      Tensor expectedInit = file.tensor(p + "init_noise_sigma");
      Tensor init =
          doubles(new double[] {run.initNoiseSigma()}).reshape(Tensors.shape(expectedInit));
      out.add(compare(file, name, "init_noise_sigma", init, 0, SCHEDULE_RTOL));
      long expectedSteps = file.tensor(p + "timesteps").size(0);
      out.addAll(replay(file, name, run, (int) Math.min(steps, expectedSteps)));
    }
    return out;
  }

  private static List<CaseResult> replay(
      Safetensors file, String name, SchedulerRun run, int steps) {
    String p = name + ".";
    Tensor modelOutputs = file.tensor(p + "model_output");
    Tensor ancestral =
        file.contains(p + "ancestral_noise") ? file.tensor(p + "ancestral_noise") : null;
    NoiseSource noise =
        (like, index) -> {
          if (ancestral == null) {
            throw new IllegalStateException(
                name + " has no ancestral_noise but the step asked for noise");
          }
          return ancestral.select(0, index).clone();
        };
    List<float[]> inputs = new ArrayList<>();
    List<float[]> prevs = new ArrayList<>();
    List<float[]> originals = new ArrayList<>();
    Tensor x = file.tensor(p + "x_T_unscaled").mul(new Scalar(run.initNoiseSigma()));
    for (int k = 0; k < steps; k++) {
      try (TensorScope step = TensorScope.open()) {
        inputs.add(Tensors.toFloats(run.scaleModelInput(x)));
        StepOutput o = run.step(modelOutputs.select(0, k), x, noise);
        prevs.add(Tensors.toFloats(o.prevSample()));
        originals.add(Tensors.toFloats(o.predOriginalSample()));
        x = step.keep(o.prevSample());
      }
    }
    List<CaseResult> out = new ArrayList<>();
    out.add(compareSteps(file, name, "model_input", inputs));
    out.add(compareSteps(file, name, "prev_sample", prevs));
    if (file.contains(p + "pred_original_sample")) {
      out.add(compareSteps(file, name, "pred_original_sample", originals));
    }
    return out;
  }

  private static CaseResult compareSteps(
      Safetensors file, String name, String quantity, List<float[]> actualSteps) {
    Tensor expected = file.tensor(name + "." + quantity);
    int per = actualSteps.isEmpty() ? 0 : actualSteps.get(0).length;
    float[] actual = new float[per * actualSteps.size()];
    for (int k = 0; k < actualSteps.size(); k++) {
      System.arraycopy(actualSteps.get(k), 0, actual, k * per, per);
    }
    long[] shape = Tensors.shape(expected);
    Tensor stacked =
        Tensors.fromFloats(
            actual, Tensors.numel(shape) == actual.length ? shape : new long[] {actual.length});
    return compare(file, name, quantity, stacked, TRAJECTORY_ATOL, TRAJECTORY_RTOL);
  }

  private static CaseResult compare(
      Safetensors file, String name, String quantity, Tensor actual, double atol, double rtol) {
    return Compare.allClose(
        name + ":" + quantity, actual, file.tensor(name + "." + quantity), atol, rtol);
  }

  /** A float64 CPU tensor holding {@code values}, shape {@code [values.length]}. */
  private static Tensor doubles(double[] values) {
    try (DoublePointer dp = new DoublePointer(values);
        TensorScope s = TensorScope.open()) {
      Tensor view =
          torch.from_blob(dp, new long[] {values.length}, new TensorOptions(ScalarType.Double));
      return s.keep(view.clone());
    }
  }
}
