package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Several classification proxies used together, the brief's remedy for proxy overfitting (pitfall
 * 1: "a biased proxy biases the synthetic set … use several proxies"): {@code TaskLossGuidance}
 * averages the members' task losses, so the guidance gradient is the mean of the members'
 * gradients. Members may differ in architecture, input size and seed; they must agree on the number
 * of classes.
 *
 * <p>Keep the members apart from the teacher that gives soft labels and from the evaluation
 * students (train them on the real training data with other seeds or architectures), and say which
 * model played which role: {@link #id()} lists the members' ids for the manifest.
 *
 * <p>Immutable; the members are borrowed (their owner closes them).
 *
 * @param members the proxies, at least one, all with the same number of classes
 * @since 0.1.0
 */
public record ProxyEnsemble(List<ClassificationProxy> members) {

  /** Validates and copies. */
  public ProxyEnsemble {
    members = List.copyOf(checkNotNull(members, "members"));
    checkArgument(!members.isEmpty(), "members must not be empty but was %s", members);
    int k = members.get(0).numClasses();
    for (ClassificationProxy p : members) {
      checkArgument(
          p.numClasses() == k,
          "members must all have %s classes but %s had %s",
          k,
          p.id(),
          p.numClasses());
    }
  }

  /**
   * An ensemble (of one proxy: the single-proxy case).
   *
   * @param members the proxies, at least one
   * @return the ensemble
   */
  public static ProxyEnsemble of(ClassificationProxy... members) {
    return new ProxyEnsemble(List.of(members));
  }

  /** The members' common class count. */
  public int numClasses() {
    return members.get(0).numClasses();
  }

  /** The number of members. */
  public int size() {
    return members.size();
  }

  /** The members' ids joined, e.g. {@code "[convnet-seed1, convnet-seed2]"}. */
  public String id() {
    return members.stream()
        .map(ClassificationProxy::id)
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
