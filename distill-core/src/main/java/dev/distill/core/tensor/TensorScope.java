package dev.distill.core.tensor;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The one scoping idiom for native memory: every tensor (and every other JavaCPP pointer) created
 * on this thread while the scope is open is freed when it closes, except what is explicitly kept.
 *
 * <pre>{@code
 * try (TensorScope scope = TensorScope.open()) {
 *   Tensor tmp = x.mul(y);                 // freed at the closing brace
 *   return scope.keep(tmp.add(z));         // handed to the enclosing scope (or to the caller)
 * }
 * }</pre>
 *
 * <p>{@link #keep} moves a pointer to the scope that was innermost when this one was opened, so it
 * lives until that outer scope closes; if there is no outer scope the caller owns it and must
 * {@code close()} it. {@link #detach} always hands ownership to the caller. Backed by JavaCPP's
 * {@link PointerScope}, so it is thread-confined: open, use and close a scope on one thread, and
 * never pass its tensors to another thread.
 *
 * @since 0.1.0
 */
public final class TensorScope implements AutoCloseable {
  private final PointerScope parent;
  private final PointerScope scope;
  private final Thread owner;
  private boolean closed;

  private TensorScope() {
    this.parent = PointerScope.getInnerScope();
    this.scope = new PointerScope();
    this.owner = Thread.currentThread();
  }

  /**
   * Opens a scope on the current thread.
   *
   * @return the new innermost scope
   */
  public static TensorScope open() {
    OneDnn.ensureConfigured();
    return new TensorScope();
  }

  /**
   * Keeps a pointer past this scope: it moves to the enclosing scope, or to the caller if there is
   * none.
   *
   * @param pointer a pointer created in this scope
   * @param <T> the pointer type
   * @return {@code pointer}
   * @throws IllegalStateException if the scope is closed or used from another thread
   */
  public <T extends Pointer> T keep(T pointer) {
    checkOpen();
    checkNotNull(pointer, "pointer");
    pointer.retainReference();
    scope.detach(pointer);
    if (parent != null) {
      parent.attach(pointer);
      pointer.releaseReference();
    }
    return pointer;
  }

  /**
   * Hands a pointer to the caller, outside every scope; the caller must {@code close()} it.
   *
   * @param pointer a pointer created in this scope
   * @param <T> the pointer type
   * @return {@code pointer}
   * @throws IllegalStateException if the scope is closed or used from another thread
   */
  public <T extends Pointer> T detach(T pointer) {
    checkOpen();
    checkNotNull(pointer, "pointer");
    pointer.retainReference();
    scope.detach(pointer);
    return pointer;
  }

  /**
   * Makes this scope own a pointer created elsewhere (for example one returned detached).
   *
   * @param pointer the pointer
   * @param <T> the pointer type
   * @return {@code pointer}
   */
  public <T extends Pointer> T attach(T pointer) {
    checkOpen();
    checkNotNull(pointer, "pointer");
    boolean ownedByCaller = pointer.referenceCount() > 0;
    scope.attach(pointer);
    if (ownedByCaller) {
      pointer.releaseReference();
    }
    return pointer;
  }

  /**
   * Gives a caller-owned pointer (one returned by {@link #detach}) to the innermost open scope of
   * this thread, so it is freed when that scope closes; with no open scope the caller keeps it.
   *
   * @param pointer a pointer owned by the caller
   * @param <T> the pointer type
   * @return {@code pointer}
   */
  public static <T extends Pointer> T adopt(T pointer) {
    checkNotNull(pointer, "pointer");
    PointerScope inner = PointerScope.getInnerScope();
    if (inner != null) {
      boolean ownedByCaller = pointer.referenceCount() > 0;
      inner.attach(pointer);
      if (ownedByCaller) {
        pointer.releaseReference();
      }
    }
    return pointer;
  }

  private void checkOpen() {
    checkState(!closed, "scope must be open but was closed");
    checkOwnerThread();
  }

  private void checkOwnerThread() {
    checkState(
        Thread.currentThread() == owner,
        "scope must be used on its owner thread %s but was used on %s",
        owner.getName(),
        Thread.currentThread().getName());
  }

  /**
   * Frees every pointer still owned by this scope; closing again does nothing.
   *
   * @throws IllegalStateException if called from another thread than the one that opened it (the
   *     scope stays open)
   */
  @Override
  public void close() {
    if (!closed) {
      checkOwnerThread();
      closed = true;
      scope.close();
    }
  }
}
