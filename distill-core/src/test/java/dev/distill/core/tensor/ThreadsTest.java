package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThreadsTest {

  @Test
  void setsBothPools() {
    int before = Threads.intraOp();
    try {
      Threads.set(2, 2);
      assertThat(Threads.intraOp()).isEqualTo(2);
      assertThat(Threads.blas()).isEqualTo(2);
      Threads.set(2);
      assertThat(Threads.intraOp()).isEqualTo(2);
      assertThat(Threads.blas()).isEqualTo(1);
      Threads.set(1, 1);
      assertThat(Threads.intraOp()).isEqualTo(1);
      assertThat(Threads.blas()).isEqualTo(1);
    } finally {
      Threads.set(before);
    }
  }

  @Test
  void refusesZero() {
    assertThatThrownBy(() -> Threads.set(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threads must be >= 1 but was 0");
    assertThatThrownBy(() -> Threads.set(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blas threads must be >= 1 but was 0");
  }
}
