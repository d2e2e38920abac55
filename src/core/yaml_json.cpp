#include "core/yaml_json.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "core/error.hpp"
#include "core/json5.hpp"
#include "core/utf8.hpp"
#include "core/yaml_scalar.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

constexpr std::string_view kHint = "check the YAML syntax near that position";
constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

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
    const YAML::Mark mark = node.Mark();
    throw Error(std::string(origin_) + ":" + std::to_string(mark.line + 1) + ":" +
                    std::to_string(mark.column + 1) + ": " + message,
                std::string(kHint));
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

std::vector<YAML::Node> load_documents(std::string_view text, std::string_view origin) {
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard against deep nesting reports "bad file"; say what it means.
    throw Error(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": nested deeper than " +
                    std::to_string(kMaxNesting) + " levels",
                std::string(kHint));
  } catch (const YAML::Exception& e) {
    throw Error(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": " + e.msg,
                std::string(kHint));
  }
}

}  // namespace

json parse_yaml(std::string_view text, std::string_view origin) {
  if (const std::size_t bad = utf8_error_offset(text); bad != std::string_view::npos)
    throw Error(std::string(origin) + ":" + line_column(text, bad) + ": not valid UTF-8",
                "save the file as UTF-8");
  const std::vector<YAML::Node> documents = load_documents(text, origin);
  if (documents.empty()) return nullptr;
  Converter converter(origin);
  if (documents.size() > 1)
    converter.fail(documents[1], "more than one YAML document ('---'); keep one");
  try {
    return converter.convert(documents[0], 1);
  } catch (const YAML::Exception& e) {
    throw Error(std::string(origin) + ": " + e.msg, std::string(kHint));
  }
}

}  // namespace pmctl::core
