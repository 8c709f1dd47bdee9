/**
 * Reading configuration files (diffusers / transformers {@code config.json}) with clear errors for
 * missing or mistyped keys.
 *
 * @since 0.1.0
 */
package dev.distill.core.config;
