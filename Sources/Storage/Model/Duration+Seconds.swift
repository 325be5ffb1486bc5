extension Duration {
    /// The duration as fractional seconds, for logs, metrics and timestamps.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
