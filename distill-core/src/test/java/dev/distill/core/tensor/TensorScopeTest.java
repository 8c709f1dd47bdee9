package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TensorScopeTest {
  private static ExecutorService other;

  @BeforeAll
  static void startOtherThread() {
    other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
  }

  @AfterAll
  static void stopOtherThread() {
    other.shutdownNow();
  }

  @BeforeEach
  void noScopeIsOpenOnTheTestThread() {
    assertThat(PointerScope.getInnerScope()).isNull();
  }

  private static Tensor ones() {
    return Tensors.fromFloats(new float[] {1, 1, 1}, 3);
  }

  @Test
  void temporariesAreFreedWhenTheScopeCloses() {
    Tensor tmp;
    try (TensorScope scope = TensorScope.open()) {
      tmp = ones().mul(Tensors.scalar(2));
      assertThat(tmp.isNull()).isFalse();
    }
    assertThat(tmp.isNull()).isTrue();
  }

  @Test
  void keepMovesATensorToTheParentScope() {
    Tensor kept;
    Tensor innerTemporary;
    try (TensorScope outer = TensorScope.open()) {
      try (TensorScope inner = TensorScope.open()) {
        innerTemporary = ones();
        kept = inner.keep(innerTemporary.add(innerTemporary));
      }
      assertThat(innerTemporary.isNull()).as("inner temporary freed by the inner scope").isTrue();
      assertThat(kept.isNull()).as("kept tensor alive in the outer scope").isFalse();
      assertThat(Tensors.toFloats(kept)).containsExactly(2, 2, 2);
    }
    assertThat(kept.isNull()).as("kept tensor freed by the outer scope").isTrue();
  }

  @Test
  void keepWithoutAParentHandsTheTensorToTheCaller() {
    Tensor kept;
    try (TensorScope scope = TensorScope.open()) {
      kept = scope.keep(ones());
    }
    assertThat(kept.isNull()).isFalse();
    assertThat(Tensors.toFloats(kept)).containsExactly(1, 1, 1);
    kept.close();
    assertThat(kept.isNull()).isTrue();
  }

  @Test
  void detachHandsTheTensorToTheCallerPastEveryScope() {
    Tensor detached;
    try (TensorScope outer = TensorScope.open()) {
      try (TensorScope inner = TensorScope.open()) {
        detached = inner.detach(ones());
      }
      assertThat(detached.isNull()).isFalse();
    }
    assertThat(detached.isNull()).as("detached tensor survives the outer scope").isFalse();
    assertThat(Tensors.toFloats(detached)).containsExactly(1, 1, 1);
    detached.close();
    assertThat(detached.isNull()).isTrue();
  }

  @Test
  void attachMakesAScopeOwnADetachedTensor() {
    Tensor detached;
    try (TensorScope scope = TensorScope.open()) {
      detached = scope.detach(ones());
    }
    try (TensorScope scope = TensorScope.open()) {
      scope.attach(detached);
    }
    assertThat(detached.isNull()).isTrue();
  }

  @Test
  void nestedScopesKeepTheirOwnTensorsUntilTheyClose() {
    try (TensorScope a = TensorScope.open()) {
      Tensor inA = ones();
      Tensor inB;
      Tensor inC;
      try (TensorScope b = TensorScope.open()) {
        inB = ones();
        try (TensorScope c = TensorScope.open()) {
          inC = ones();
          c.keep(inC); // to b
        }
        assertThat(inC.isNull()).isFalse();
        assertThat(inB.isNull()).isFalse();
      }
      assertThat(inB.isNull()).isTrue();
      assertThat(inC.isNull()).isTrue();
      assertThat(inA.isNull()).isFalse();
      assertThat(PointerScope.getInnerScope()).as("a is innermost again").isNotNull();
    }
    assertThat(PointerScope.getInnerScope()).isNull();
  }

  @Test
  void useAfterCloseIsIllegalAndCloseIsIdempotent() {
    TensorScope scope = TensorScope.open();
    Tensor t = ones();
    scope.close();
    scope.close();
    assertThatThrownBy(() -> scope.keep(t))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scope must be open but was closed");
    assertThatThrownBy(() -> scope.detach(t)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void useFromAnotherThreadIsIllegalAndLeavesTheScopeUsable() throws Exception {
    try (TensorScope scope = TensorScope.open()) {
      Tensor t = ones();
      for (Runnable misuse :
          new Runnable[] {
            () -> scope.keep(t), () -> scope.detach(t), () -> scope.attach(t), scope::close
          }) {
        CompletableFuture<Void> f = CompletableFuture.runAsync(misuse, other);
        assertThatThrownBy(f::get)
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("owner thread")
            .hasMessageContaining("other-thread");
      }
      assertThat(t.isNull()).isFalse();
      Tensor kept = scope.detach(t);
      assertThat(Tensors.toFloats(kept)).containsExactly(1, 1, 1);
      kept.close();
    }
  }

  @Test
  void scopesOnOtherThreadsAreIndependent() throws Exception {
    try (TensorScope mine = TensorScope.open()) {
      Tensor t = ones();
      float[] fromOther =
          CompletableFuture.supplyAsync(
                  () -> {
                    try (TensorScope theirs = TensorScope.open()) {
                      return Tensors.toFloats(ones().mul(Tensors.scalar(3)));
                    }
                  },
                  other)
              .get();
      assertThat(fromOther).containsExactly(3, 3, 3);
      assertThat(t.isNull()).isFalse();
    }
  }
}
