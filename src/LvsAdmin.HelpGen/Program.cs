using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace LvsAdmin.HelpGen;

/// <summary>
/// LvsAdmin.HelpGen --docs DIR --out DIR [--maml LvsAdmin.dll-Help.xml]
/// Reads every DIR/*.md: about_*.md become OUT/about_*.help.txt, the others (one cmdlet each) together become
/// OUT/LvsAdmin.dll-Help.xml. A malformed file stops it with "file(line): error HELPGEN: ..." and exit code 1.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string? docs = null, output = null, maml = "LvsAdmin.dll-Help.xml";
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--docs": docs = Next(); break;
                case "--out": output = Next(); break;
                case "--maml": maml = Next(); break;
                case "-h" or "--help":
                    Console.WriteLine("usage: LvsAdmin.HelpGen --docs DIR --out DIR [--maml LvsAdmin.dll-Help.xml]");
                    return 0;
                default:
                    Console.Error.WriteLine($"LvsAdmin.HelpGen: error HELPGEN: unknown argument '{args[i]}' (use --docs DIR --out DIR [--maml NAME]).");
                    return 2;
            }
        }

        if (docs is null || output is null || string.IsNullOrEmpty(maml))
        {
            Console.Error.WriteLine("LvsAdmin.HelpGen: error HELPGEN: --docs DIR and --out DIR are required.");
            return 2;
        }

        try
        {
            var written = Generate(docs, output, maml);
            foreach (var f in written)
            {
                Console.WriteLine($"LvsAdmin.HelpGen: wrote {f}");
            }

            return 0;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is HelpDocException))
        {
            foreach (HelpDocException x in e.InnerExceptions)
            {
                Console.Error.WriteLine(x.ToMSBuildError());
            }

            return 1;
        }
        catch (HelpDocException e)
        {
            Console.Error.WriteLine(e.ToMSBuildError());
            return 1;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"LvsAdmin.HelpGen: error HELPGEN: {e.Message}");
            return 1;
        }
    }

    /// <summary>Converts a docs folder; every malformed file is reported (an AggregateException of HelpDocException).</summary>
    public static IReadOnlyList<string> Generate(string docsDir, string outDir, string mamlName)
    {
        if (!Directory.Exists(docsDir))
        {
            throw new HelpDocException(docsDir, 1, "the docs folder does not exist.");
        }

        var files = Directory.GetFiles(docsDir, "*.md").OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
        var commands = new List<CommandHelp>();
        var abouts = new List<(string Name, string Text)>();
        var errors = new List<HelpDocException>();
        foreach (var f in files)
        {
            try
            {
                var doc = MarkdownReader.Parse(f, File.ReadAllText(f));
                if (Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                {
                    abouts.Add((Path.GetFileNameWithoutExtension(f) + ".help.txt", AboutTopicWriter.Convert(doc)));
                }
                else
                {
                    commands.Add(CommandDocParser.Parse(doc, mamlName));
                }
            }
            catch (HelpDocException e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException(errors);
        }

        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        var utf8 = new UTF8Encoding(false);
        var mamlPath = Path.Combine(outDir, mamlName);
        File.WriteAllText(mamlPath, MamlWriter.ToXml(commands), utf8);
        written.Add(mamlPath);
        foreach (var (name, text) in abouts)
        {
            var path = Path.Combine(outDir, name);
            File.WriteAllText(path, text, utf8);
            written.Add(path);
        }

        return written;
    }
}
