package dev.distill.task.proxy;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.annotation.ImageAnnotations;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Target annotations already rasterised into one proxy's target tensors, so that a loss evaluated
 * at every sampling step does not rebuild them ({@link AnnotationTaskProxy#prepare}).
 *
 * <p>Owns its tensors (outside every scope, on the proxy's device) and frees them on {@link
 * #close()}; whoever called {@link AnnotationTaskProxy#prepare} closes it. Usable only with the
 * proxy that prepared it. Thread-confined like the tensors it holds.
 *
 * @since 0.1.0
 */
public final class PreparedTargets implements AutoCloseable {
  private final AnnotationTaskProxy proxy;
  private final List<ImageAnnotations> targets;
  private final List<Tensor> tensors;
  private boolean closed;

  PreparedTargets(AnnotationTaskProxy proxy, List<ImageAnnotations> targets, List<Tensor> tensors) {
    this.proxy = checkNotNull(proxy, "proxy");
    this.targets = List.copyOf(checkNotNull(targets, "targets"));
    this.tensors = List.copyOf(checkNotNull(tensors, "tensors"));
  }

  /** The targets, one per sample in batch order. */
  public List<ImageAnnotations> targets() {
    return targets;
  }

  /** The number of targets. */
  public int size() {
    return targets.size();
  }

  /** The prepared tensors, for the proxy that made them. */
  List<Tensor> tensors(AnnotationTaskProxy by) {
    checkState(!closed, "prepared targets must be open but were closed");
    checkArgument(
        by == proxy,
        "prepared targets must be used with the proxy that prepared them (%s) but were used with"
            + " %s",
        proxy.id(),
        by.id());
    return tensors;
  }

  /** Frees the tensors; closing again does nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tensors.forEach(Tensor::close);
    }
  }
}
