/**
 * Task-specific proxy models (UniDD's "universal task knowledge mining"): a network trained on the
 * real data whose loss guides generation, alone or in a {@link
 * dev.distill.task.proxy.ProxyEnsemble}.
 *
 * @since 0.1.0
 */
package dev.distill.task.proxy;
