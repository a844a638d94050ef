namespace Stockpile.Tests.Fakes;

/// <summary>The calls a store receives, as flags so a fake can be told to act on several at once.</summary>
[Flags]
public enum StoreOperation
{
    None = 0,
    Get = 1,
    GetMany = 2,
    Put = 4,
    PutMany = 8,
    Delete = 16,
    DeleteMany = 32,
    Clear = 64,
    RemoveByTag = 128,
    Reads = Get | GetMany,
    Writes = Put | PutMany,
    Deletes = Delete | DeleteMany,
}
