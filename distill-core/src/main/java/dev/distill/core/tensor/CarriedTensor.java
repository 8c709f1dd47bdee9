package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;

/**
 * The latents-lifetime idiom of every sampling (or optimisation) loop: each step runs in a child
 * {@link TensorScope} that keeps only the carried tensor, and the previous step's tensor is freed
 * as soon as the next one exists.
 *
 * <pre>{@code
 * try (CarriedTensor z = CarriedTensor.of(initial)) {   // initial stays owned by its scope
 *   for (int k = 0; k < steps; k++) {
 *     z.advance(x -> scheduler.step(model(x), x));       // temporaries freed, old x freed
 *   }
 *   return z.release();                                  // to the innermost open scope
 * }
 * }</pre>
 *
 * <p>Memory therefore stays flat however many steps run: at any time only the current tensor (and,
 * during a step, the step's temporaries) is alive. The initial tensor is borrowed and never freed
 * here; every later one is owned by this object until {@link #release} hands it on, or {@link
 * #close} frees it (the exception path).
 *
 * <p>Not thread-safe, and thread-confined like {@link TensorScope}.
 *
 * @since 0.1.0
 */
public final class CarriedTensor implements AutoCloseable {
  private Tensor current;
  private boolean owned;
  private boolean done;

  private CarriedTensor(Tensor initial) {
    this.current = initial;
  }

  /**
   * Starts carrying a tensor.
   *
   * @param initial the state before the first step (borrowed: its owner frees it)
   * @return the carrier
   */
  public static CarriedTensor of(Tensor initial) {
    return new CarriedTensor(checkNotNull(initial, "initial"));
  }

  /**
   * The current tensor, owned by this carrier (or, before the first step, by its owner); valid
   * until the next {@link #advance}.
   *
   * @return the current tensor
   * @throws IllegalStateException after {@link #release} or {@link #close}
   */
  public Tensor get() {
    checkState(!done, "carrier must be open but was released or closed");
    return current;
  }

  /**
   * Runs one step in a child {@link TensorScope}, keeps only its result and frees the previous
   * tensor.
   *
   * @param step maps the current tensor to the next; every tensor it creates except the result is
   *     freed when it returns
   * @return the new current tensor (owned by this carrier)
   * @throws IllegalStateException after {@link #release} or {@link #close}
   * @throws NullPointerException if the step returns null
   */
  public Tensor advance(UnaryOperator<Tensor> step) {
    checkNotNull(step, "step");
    checkState(!done, "carrier must be open but was released or closed");
    Tensor next;
    try (TensorScope scope = TensorScope.open()) {
      Tensor result = checkNotNull(step.apply(current), "step result");
      if (result == current) {
        return current;
      }
      next = scope.detach(result);
    }
    if (owned) {
      current.close();
    }
    current = next;
    owned = true;
    return current;
  }

  /**
   * Hands the current tensor to the innermost open {@link TensorScope} of this thread (to the
   * caller if there is none; if no step ran, the initial tensor is returned as it is) and ends the
   * carrier.
   *
   * @return the final tensor
   * @throws IllegalStateException after {@link #release} or {@link #close}
   */
  public Tensor release() {
    checkState(!done, "carrier must be open but was released or closed");
    done = true;
    return owned ? TensorScope.adopt(current) : current;
  }

  /** Frees the current tensor unless it was released (or is the borrowed initial one). */
  @Override
  public void close() {
    if (!done) {
      done = true;
      if (owned) {
        current.close();
      }
    }
  }
}
