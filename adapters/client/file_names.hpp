#pragma once

// Where received files go and what they are called (docs/files.md). The
// name comes from the sender: it is checked, never trusted. Pure but for
// the file-system probes of unique_path and default_download_dir.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace chat {

/// Longest file name accepted, in bytes (NAME_MAX on Linux).
inline constexpr size_t max_file_name_bytes = 255;

/// The name an offered file is saved under, or empty with `problem` set:
/// refused if it holds a path separator, a control character or invalid
/// UTF-8, is "." or "..", or is longer than max_file_name_bytes; leading
/// dots (hidden files) and trailing spaces and dots are dropped.
std::string sanitize_file_name(std::string_view offered, std::string& problem);

/// `dir`/`name`, or the first of `dir`/"stem (1).ext", "stem (2).ext", …
/// for which `taken` is false: a received file never replaces another.
std::string unique_path(const std::string& dir, const std::string& name,
                        const std::function<bool(const std::string&)>& taken);

/// Whether `path`, or its partial copy (`path`.part), exists.
bool path_taken(const std::string& path);

/// $XDG_DOWNLOAD_DIR, else the XDG user-dirs entry, else ~/Downloads.
std::string default_download_dir();

/// A human size: "812 B", "12.3 KiB", "4.0 MiB", "1.2 GiB".
std::string human_size(double bytes);

} // namespace chat
