namespace TraceCraft.Bench.Report
{
    /// <summary>
    /// The original Python tracecraft's published claim-contention figures, measured by its authors on MinIO (not
    /// here, not on this server, not with this harness). Shown beside ours for comparison only, always labelled.
    /// </summary>
    public static class PublishedFigures
    {
        public const string Label = "theirs: original tracecraft, published, on MinIO";

        /// <summary>(N, winner p50, all-agent p50, all-agent p95) in ms; NaN where they published nothing.</summary>
        public static readonly (int N, double WinnerP50, double AllP50, double AllP95)[] Contention =
        {
            (2, 6.5, double.NaN, double.NaN),
            (50, 40.9, 65, 134),
        };
    }
}
