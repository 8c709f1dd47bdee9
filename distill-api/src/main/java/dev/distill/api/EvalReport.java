package dev.distill.api;

import java.util.Map;
import java.util.Objects;

/**
 * The result of an {@link Evaluator}: named metrics over seeds and the pinned protocol.
 *
 * <p>Classification metrics are named {@code "top1"} and {@code "top5"} (percent); detection {@code
 * "mAP50"}, {@code "mAP50_95"}; segmentation {@code "mIoU"}.
 *
 * @param evaluator the evaluator ("convnet3", "resnet18")
 * @param matcher the matcher used for training ("hard", "soft-kl")
 * @param metrics metric name → summary over seeds (immutable copy)
 * @param protocol the training protocol actually used, as flat key/values (immutable copy)
 * @since 0.1.0
 */
public record EvalReport(
    String evaluator,
    String matcher,
    Map<String, MetricSummary> metrics,
    Map<String, String> protocol) {
  /** Validates and copies. */
  public EvalReport {
    Objects.requireNonNull(evaluator, "evaluator must not be null");
    Objects.requireNonNull(matcher, "matcher must not be null");
    metrics = Map.copyOf(Objects.requireNonNull(metrics, "metrics must not be null"));
    protocol = Map.copyOf(Objects.requireNonNull(protocol, "protocol must not be null"));
  }

  /**
   * A metric by name.
   *
   * @param name the metric name
   * @return its summary
   * @throws IllegalArgumentException if there is no such metric
   */
  public MetricSummary metric(String name) {
    Checks.checkNotNull(name, "name");
    MetricSummary m = metrics.get(name);
    Checks.checkArgument(m != null, "metric must be one of %s but was %s", metrics.keySet(), name);
    return m;
  }
}
