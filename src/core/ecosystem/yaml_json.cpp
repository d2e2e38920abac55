#include "core/ecosystem/yaml_json.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>

#include "core/base/utf8.hpp"
#include "core/ecosystem/json5.hpp"
#include "core/ecosystem/yaml_scalar.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

constexpr std::string_view kHint = "check the YAML syntax near that position";
constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

[[noreturn]] void fail_at(std::string_view origin, const YAML::Mark& mark,
                          const std::string& what) {
  throw Error(std::string(origin) + ":" + std::to_string(mark.line + 1) + ":" +
                  std::to_string(mark.column + 1) + ": " + what,
              std::string(kHint));
}

class Converter {
 public:
  explicit Converter(std::string_view origin) : origin_(origin) {}

  json convert(const YAML::Node& node, int depth) {
    if (depth > kMaxNesting)
      fail(node, "nested deeper than " + std::to_string(kMaxNesting) + " levels");
    if (++values_ > kMaxYamlValues)
      fail(node, "expands to more than " + std::to_string(kMaxYamlValues) +
                     " values (aliases that repeat each other?)");
    switch (node.Type()) {
      case YAML::NodeType::Sequence:
        return sequence(node, depth);
      case YAML::NodeType::Map:
        return map(node, depth);
      case YAML::NodeType::Scalar:
        return scalar(node);
      default:
        return nullptr;  // Null, or Undefined which a loaded document does not hold
    }
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    fail_at(origin_, node.Mark(), message);
  }

 private:
  void check_collection_tag(const YAML::Node& node, std::string_view expected) const {
    const std::string& tag = node.Tag();
    if (tag == "?" || tag == "!" || tag == std::string(kTagPrefix) + std::string(expected)) return;
    fail(node, "unsupported YAML tag '" + tag + "'");
  }

  json sequence(const YAML::Node& node, int depth) {
    check_collection_tag(node, "seq");
    json result = json::array();
    for (const YAML::Node& item : node) result.push_back(convert(item, depth + 1));
    return result;
  }

  json map(const YAML::Node& node, int depth) {
    check_collection_tag(node, "map");
    json result = json::object();
    std::vector<json> merges;
    for (const auto& entry : node) {
      if (is_merge_key(entry.first)) {
        merges.push_back(merge_source(entry.second, depth));
        continue;
      }
      const std::string name = key(entry.first);
      if (result.contains(name)) fail(entry.first, "duplicate key '" + name + "'");
      result[name] = convert(entry.second, depth + 1);
    }
    // Keys written in the map win over merged ones; earlier merge sources win over later ones.
    for (const json& source : merges)
      for (const json& one : source)
        for (const auto& [name, value] : one.items())
          if (!result.contains(name)) result[name] = value;
    return result;
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
  }

  // The value of a `<<` key as a list of objects: one map, or a sequence of maps.
  json merge_source(const YAML::Node& node, int depth) {
    json value = convert(node, depth + 1);
    if (value.is_object()) return json::array({std::move(value)});
    if (value.is_array()) {
      bool all_objects = true;
      for (const json& item : value) all_objects = all_objects && item.is_object();
      if (all_objects) return value;
    }
    fail(node, "a '<<' merge key needs a map or a list of maps");
  }

  // js-yaml turns scalar keys into their JavaScript string: `1: x` has the key "1".
  std::string key(const YAML::Node& node) {
    if (node.IsMap() || node.IsSequence())
      fail(node, "keys must be plain values, not maps or lists");
    const json value = node.IsNull() ? json(nullptr) : scalar(node);
    return value.is_string() ? value.get<std::string>() : value.dump();
  }

  json scalar(const YAML::Node& node) const {
    const std::string& tag = node.Tag();
    const std::string& text = node.Scalar();
    // Escapes in double quotes can spell bytes that are not UTF-8 ("\xFF" is U+00FF, but yaml-cpp
    // has been seen to let stray bytes through); JSON strings must be UTF-8.
    if (utf8_error_offset(text) != std::string_view::npos) fail(node, "a value is not valid UTF-8");
    if (tag == "!") return text;  // quoted
    if (tag == "?") return resolved(node, resolve_plain_scalar(text));
    if (tag.starts_with(kTagPrefix)) {
      const std::string_view type = std::string_view(tag).substr(kTagPrefix.size());
      if (type == "str") return text;
      if (type_for_tag(type).empty()) fail(node, "unsupported YAML tag '" + tag + "'");
      json value = resolved(node, resolve_plain_scalar(text));
      if (value.type_name() == type_for_tag(type)) return value;
      fail(node, "'" + text + "' is not a valid !!" + std::string(type));
    }
    fail(node, "unsupported YAML tag '" + tag + "'");
  }

  static std::string_view type_for_tag(std::string_view type) {
    if (type == "int") return "number";
    if (type == "bool") return "boolean";
    if (type == "null") return "null";
    if (type == "float") return "number";
    return "";
  }

  json resolved(const YAML::Node& node, PlainScalar value) const {
    if (value.infinite_or_nan)
      fail(node, "'" + node.Scalar() + "' has no JSON form (PM2 would store null); write a number");
    return std::move(value.value);
  }

  std::string_view origin_;
  std::size_t values_ = 0;
};

// Offset of the first character YAML does not allow in a stream (C0 and C1 controls other than
// tab, LF, CR and NEL; DEL; U+FFFE and U+FFFF), which js-yaml refuses too, or npos. The text is
// valid UTF-8 already.
std::size_t first_non_printable(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F && next != 0x85) return i;
    if (c == 0xEF && text.substr(i).starts_with("\xEF\xBF\xBE")) return i;
    if (c == 0xEF && text.substr(i).starts_with("\xEF\xBF\xBF")) return i;
  }
  return std::string_view::npos;
}

// Notes whether a document's root is an empty (null) node.
class RootWatcher : public YAML::EventHandler {
 public:
  bool root_is_null = false;
  YAML::Mark root_mark;

  void OnDocumentStart(const YAML::Mark&) override { depth_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { root(mark, true); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root(mark, false); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    root(mark, false);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    root(mark, false);
    ++depth_;
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    root(mark, false);
    ++depth_;
  }
  void OnMapEnd() override { --depth_; }

 private:
  void root(const YAML::Mark& mark, bool is_null) {
    if (depth_ > 0) return;
    root_is_null = is_null;
    root_mark = mark;
  }
  int depth_ = 0;
};

// yaml-cpp 0.7's LoadAll() never returns on some malformed input (a stray ',' at the top level):
// the parser keeps reporting one more empty document, and memory grows on each turn. So the
// documents are counted here, stopping at the first empty one, as yaml-cpp itself later does.
// Only the first document is converted; a second one is an error, as in js-yaml's load().
void check_single_document(const std::string& text, std::string_view origin) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  RootWatcher watcher;
  for (int documents = 0; parser.HandleNextDocument(watcher);) {
    if (++documents == 2)
      fail_at(origin, watcher.root_mark, "more than one YAML document ('---'); keep one");
    if (watcher.root_is_null) return;
  }
}

YAML::Node load_document(const std::string& text, std::string_view origin) {
  try {
    check_single_document(text, origin);
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against deep nesting reports "bad file"; say what it means.
    fail_at(origin, e.mark, "nested deeper than " + std::to_string(kMaxNesting) + " levels");
  } catch (const YAML::Exception& e) {
    fail_at(origin, e.mark, e.msg);
  }
}

}  // namespace

json parse_yaml(std::string_view text, std::string_view origin) {
  if (const std::size_t bad = utf8_error_offset(text); bad != std::string_view::npos)
    throw Error(std::string(origin) + ":" + line_column(text, bad) + ": not valid UTF-8",
                "save the file as UTF-8");
  if (const std::size_t bad = first_non_printable(text); bad != std::string_view::npos)
    throw Error(std::string(origin) + ":" + line_column(text, bad) +
                    ": YAML does not allow control characters",
                "remove it, or write it as an escape inside double quotes (\"\\t\")");
  const YAML::Node document = load_document(std::string(text), origin);
  try {
    return Converter(origin).convert(document, 1);
  } catch (const YAML::Exception& e) {
    throw Error(std::string(origin) + ": " + e.msg, std::string(kHint));
  }
}

}  // namespace pmctl::core
