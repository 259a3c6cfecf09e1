namespace Retrieval.Eval.Metrics;

/// <summary>
/// Balanced accuracy of a binary detector: the mean of the true-positive rate and the true-negative rate, so a detector
/// that always says "consistent" scores 0.5 however skewed the labels are. With only one class present it is that
/// class's rate.
/// </summary>
public static class BalancedAccuracy
{
    public static double Compute(IEnumerable<(bool Actual, bool Predicted)> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        int tp = 0, fn = 0, tn = 0, fp = 0;
        foreach (var (actual, predicted) in outcomes)
        {
            switch (actual, predicted)
            {
                case (true, true):
                    tp++;
                    break;
                case (true, false):
                    fn++;
                    break;
                case (false, false):
                    tn++;
                    break;
                default:
                    fp++;
                    break;
            }
        }

        var positives = tp + fn;
        var negatives = tn + fp;
        if (positives == 0 && negatives == 0)
        {
            return 0;
        }

        if (positives == 0)
        {
            return (double)tn / negatives;
        }

        if (negatives == 0)
        {
            return (double)tp / positives;
        }

        return (((double)tp / positives) + ((double)tn / negatives)) / 2;
    }
}
