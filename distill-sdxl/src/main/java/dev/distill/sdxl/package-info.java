/**
 * distill-sdxl.
 *
 * @since 0.1.0
 */
package dev.distill.sdxl;
