//! The process's peak resident memory.

/// The peak resident set size of this process in MiB (`VmHWM` of `/proc/self/status`), NaN
/// where there is no such file.
#[must_use]
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    vm_hwm_kib(&status).unwrap_or(f64::NAN) / 1024.0
}

fn vm_hwm_kib(status: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::vm_hwm_kib;

    #[test]
    fn reads_the_high_water_mark_line() {
        let status = "Name:\tbench\nVmPeak:\t  900000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(20480.0));
        assert_eq!(vm_hwm_kib("Name:\tbench\n"), None);
    }
}
