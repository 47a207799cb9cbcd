"""The archive (§七.1): originals kept, filed at the village, registered with the township."""
