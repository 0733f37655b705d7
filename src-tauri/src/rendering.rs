//! How WebKitGTK draws the window on Linux. With a GPU it composites and rasterizes
//! with OpenGL; without one, Mesa's software OpenGL (llvmpipe) stands in, which
//! rasterizes on the CPU anyway, compiles its shaders with LLVM on first use, and
//! keeps every tile twice (a texture in system memory beside what Skia drew). There
//! Skia's own CPU rendering is the better choice: on the 2-core machine of
//! BENCHMARKS.md Ferry's first screen came about 40 ms sooner with about 29 MiB less
//! (a bare window: as fast, 16 MiB less), without the shader compiles. So when the
//! computer shows no GPU device, Ferry asks WebKit for CPU rendering, unless the
//! maker already said otherwise through the same variable.

use std::path::Path;

/// WebKitGTK's switch to Skia CPU rendering, read by the web process it spawns.
pub const CPU_RENDERING_ENV: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Chooses CPU rendering when there is no GPU to draw with. Call before the first
/// webview exists (and before other threads start: it sets an environment variable).
pub fn choose() {
    if cfg!(target_os = "linux")
        && std::env::var_os(CPU_RENDERING_ENV).is_none()
        && !has_gpu(Path::new("/dev"))
    {
        std::env::set_var(CPU_RENDERING_ENV, "1");
    }
}

/// Whether `dev` offers a GPU: a DRM render node (`dri/renderD*`: Mesa's hardware
/// drivers, NVIDIA's included), or WSL's GPU (`dxg`).
fn has_gpu(dev: &Path) -> bool {
    if dev.join("dxg").exists() {
        return true;
    }
    std::fs::read_dir(dev.join("dri"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_or_wsl_gpu_counts_as_a_gpu() {
        let dev = tempfile::tempdir().unwrap();
        assert!(!has_gpu(dev.path()), "no dri folder");
        std::fs::create_dir(dev.path().join("dri")).unwrap();
        std::fs::write(dev.path().join("dri/card0"), "").unwrap();
        assert!(!has_gpu(dev.path()), "a display card without a render node");
        std::fs::write(dev.path().join("dri/renderD128"), "").unwrap();
        assert!(has_gpu(dev.path()));

        let wsl = tempfile::tempdir().unwrap();
        std::fs::write(wsl.path().join("dxg"), "").unwrap();
        assert!(has_gpu(wsl.path()));
    }
}
