using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Retrieval.Hosting;

/// <summary>
/// Data-annotation validation whose messages name the configuration path (<c>Retrieval:Query:MaxTopK: …</c>),
/// so a bad setting fails start-up with something an operator can act on.
/// </summary>
internal sealed class SectionValidator<T> : IValidateOptions<T>
    where T : class
{
    private readonly string _section;

    public SectionValidator(string section) => _section = section;

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(r =>
            $"{_section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }
}
