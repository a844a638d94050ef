namespace Stockpile;
internal static class Placeholder { }
