using System.Diagnostics.CodeAnalysis;

namespace Retrieval.Core.Security;

/// <summary>ACL entries are <c>user:&lt;id&gt;</c>, <c>group:&lt;id&gt;</c> or <c>public</c>.</summary>
public static class AclEntry
{
    public const string Public = "public";
    public const int MaxLength = 256;

    public static string User(string id) => "user:" + id;

    public static string Group(string id) => "group:" + id;

    /// <summary>Parses and normalizes an ACL entry; returns false with a reason for anything else.</summary>
    public static bool TryNormalize(string? raw, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        error = null;
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            error = "ACL entries must not be empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"ACL entry is longer than {MaxLength} characters.";
            return false;
        }

        if (string.Equals(value, Public, StringComparison.OrdinalIgnoreCase))
        {
            normalized = Public;
            return true;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            error = $"ACL entry '{value}' must be 'user:<id>', 'group:<id>' or 'public'.";
            return false;
        }

        var kind = value[..colon].ToLowerInvariant();
        var id = value[(colon + 1)..];
        if (kind is not ("user" or "group"))
        {
            error = $"ACL entry '{value}' must be 'user:<id>', 'group:<id>' or 'public'.";
            return false;
        }

        if (id.Any(char.IsControl))
        {
            error = "ACL entries must not contain control characters.";
            return false;
        }

        normalized = kind + ":" + id;
        return true;
    }

    /// <summary>Normalizes a whole ACL: distinct, sorted, non-empty.</summary>
    public static IReadOnlyList<string> NormalizeAll(IEnumerable<string>? raw)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in raw ?? [])
        {
            if (!TryNormalize(entry, out var normalized, out var error))
            {
                throw new ValidationException(error);
            }

            result.Add(normalized);
        }

        if (result.Count == 0)
        {
            throw new ValidationException("A document needs at least one ACL entry ('public' to make it readable by everyone in the tenant).");
        }

        return [.. result];
    }
}
