/// The one-line outcome of a scrub, the same in the command's output and the extension's log.
public enum ScrubSummary {
    public static func line(_ report: ScrubReport, root: String) -> String {
        let verdict = report.isClean
            ? "no problems"
            : "\(report.problems.count) problem(s) in \(report.problemsByRepository.count) repository(ies)"
        return "scrub: \(root): \(report.blobsChecked) blobs (\(report.bytesHashed) bytes) and "
            + "\(report.manifestsChecked) manifests checked, \(verdict)"
    }
}
